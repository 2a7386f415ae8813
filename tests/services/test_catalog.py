"""The configured source catalogue: read once, read again when a seed file changes."""

from __future__ import annotations

import os
import shutil
from hashlib import sha256

from quizapp.services.catalog import configured_catalog
from tests.conftest import SEEDS


def test_the_catalogue_is_read_once_while_the_seed_files_stay_the_same(app):
    with app.app_context():
        first, problems = configured_catalog()
        again, _ = configured_catalog()
    assert problems == [] and again is first


def test_a_changed_seed_file_is_read_again_and_its_changed_bytes_refused(app_factory, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    app = app_factory(f"sqlite:///{tmp_path / 'catalogue.sqlite3'}")
    app.config["QUIZ_SEEDS_DIR"] = seeds
    with app.app_context():
        before, problems = configured_catalog()
        assert problems == []
        copy = next(path for path in seeds.iterdir() if path.suffix == ".txt")
        copy.write_bytes(copy.read_bytes() + b"\n")
        stat = copy.stat()
        # A later modification time even on a coarse clock.
        os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        after, problems = configured_catalog()
    assert after is not before
    assert [problem.detail for problem in problems] == [
        f"{copy.name} has changed (its SHA-256 is {sha256(copy.read_bytes()).hexdigest()}); "
        "the seed files are kept byte for byte"
    ]
