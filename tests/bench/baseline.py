"""The bare stack: Flask and the database engine with nothing of quizapp in the way.

Served by gunicorn with the same config file as quizapp, on the same
database engine and driver, this is the limit our own endpoints are
measured against:

- ``POST /insert``: one durable INSERT per request, committed (on SQLite in
  WAL mode with the same pragmas quizapp sets, on PostgreSQL with the
  server's default ``synchronous_commit``);
- ``GET /json``: a small JSON document, no database at all.

``python -m gunicorn ... 'tests.bench.baseline:create_app()'``, with
``DATABASE_URL`` set; :func:`prepare` creates the table beforehand.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, insert

metadata = MetaData()
rows = Table(
    "bench_insert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", String(200), nullable=False),
)


def engine_for(url: str):
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # quizapp's SQLite settings, no more
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def prepare(url: str) -> None:
    """Create the baseline's table (empty) before the server starts."""
    engine = engine_for(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    engine = engine_for(os.environ["DATABASE_URL"])

    @app.post("/insert")
    def insert_one():
        with engine.begin() as connection:
            connection.execute(insert(rows).values(payload=request.form.get("payload", "")))
        return jsonify(ok=True)

    @app.get("/json")
    def small_json():
        return jsonify(version="42")

    return app
