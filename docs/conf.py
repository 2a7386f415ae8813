"""Sphinx settings for quizapp's documentation (the pages in this folder).

Built by ``python3 tasks.py docs`` and by the test suite
(``tests/test_docs.py``), warnings as errors: a link to a page or a heading
that is not there fails the build.
"""

project = "quizapp"
author = "the quizapp team"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
# Links to headings (page.md#a-heading) resolve like GitHub's: every heading
# down to this level gets its anchor.
myst_heading_anchors = 4
exclude_patterns = ["_build"]
html_theme = "alabaster"  # ships with Sphinx: the site needs nothing from the network
html_title = "quizapp"
html_static_path = []
