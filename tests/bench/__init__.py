"""The load benchmark (``python3 tasks.py bench``): not part of the test run."""
