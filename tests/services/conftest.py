"""Fixtures of the service tests."""

from __future__ import annotations

import pytest

from tests.services.editing import import_bank, make_admin


@pytest.fixture
def editor_app(app, catalog):
    """The application with the one-question test bank imported and an admin."""
    with app.app_context():
        import_bank(catalog)
        make_admin()
    return app
