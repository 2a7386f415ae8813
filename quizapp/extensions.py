"""Flask extensions, created here unbound and bound in :func:`quizapp.create_app`."""

from flask_babel import Babel
from flask_compress import Compress
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic can alter and drop them on every
# database (SQLite's batch mode needs names to find constraints).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: The bind key of a second pool of connections to the same database, in
#: autocommit mode, for work done in single statements: students' polls, the
#: poll watcher, and answers (a read, then an INSERT that checks what it
#: needs as it writes). On PostgreSQL a transaction around each would be a
#: BEGIN and a COMMIT more, and switching the main pool's connections to
#: autocommit and back cost a sixth of a poll.
AUTOCOMMIT = "autocommit"

migrate = Migrate(compare_type=True, render_as_batch=True)
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
