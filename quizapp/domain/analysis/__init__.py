"""Learning statistics: plain functions over marks and judgements.

The statistics teachers read in the reports live here, as domain code with no
Flask, no database and the standard library only:

- :mod:`.numbers`: shared helpers (mean, variance, covariance, median and the
  Student t and normal quantiles);
- :mod:`.items`: Moodle's quiz statistics (facility, discrimination index,
  discriminative efficiency, Cronbach's alpha, the distractor table, the
  random guess score);
- :mod:`.discernment`: signal detection on true/false and supported/not
  supported judgements (hit and false-alarm rates, d', criterion, ROC, AUC);
- :mod:`.calibration`: how well the confidence a learner states matches how
  often they are right (accuracy per level, Brier score, over/under-confidence);
- :mod:`.change`: before/after comparisons of the same learners (mean change,
  95 % interval, paired effect size).

An undefined value (a spread of one number, a correlation with a constant) is
None, never NaN and never an exception, so a page can show a dash.
"""
