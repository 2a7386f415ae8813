"""Response headers that make the browser refuse what we never do."""

from flask import Flask, abort, request, session

# Everything is served from our own origin: no CDN (classroom networks are
# often offline), no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: Sent with every response (a view may set its own value first).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


#: Areas whose every page and download is staff-only: answer keys, results,
#: nicknames. Kept out of every cache (a shared computer's, a proxy's), as
#: are a learner's own attempt pages (answers, results; and Back after
#: submitting a test must not show it still open from the cache).
STAFF_AREAS = ("admin", "classroom", "auth")
NO_STORE = "no-store"
#: Two years, as the HSTS preload list asks; only sent over HTTPS set-ups.
HSTS = "max-age=63072000"


#: Methods whose body CSRFProtect reads (every form post).
_POSTED = {"POST", "PUT", "PATCH", "DELETE"}


def refuse_malformed_input() -> None:
    """A 400 for a request no page of the app could read.

    A NUL character in the path, the query or a form value: no text the
    app stores or looks up holds one, and PostgreSQL refuses it in a query
    ("text fields cannot contain NUL"): a 500 wherever one reached the
    database (found by tests/fuzz).

    Every route takes forms, none JSON; Flask-WTF reads a JSON body as a
    form, and one that does not parse raised inside the expired-form pages
    (a 500, found by tests/fuzz). A multipart part without a name is keyed
    ``None`` by Werkzeug, and Flask-WTF's CSRF check, which looks at every
    key, failed on it too. Runs before that check: registered first, see
    :func:`quizapp.create_app`.
    """
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1"):
        abort(400)
    if request.method not in _POSTED:
        return
    if request.is_json or None in request.form:
        abort(400)
    if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        abort(400)


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""
    secure = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        for name, value in SECURITY_HEADERS:
            headers.setdefault(name, value)
        if secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        # A view that chose its caching (static files, the polls' ETags)
        # keeps it; anything else shown to staff is stored nowhere. Logged
        # in is read from the cookie, not the database: this also runs on
        # the page saying the database is away.
        attempt_page = request.blueprint == "study" and "public_id" in (request.view_args or {})
        if "Cache-Control" not in headers and (
            request.blueprint in STAFF_AREAS or attempt_page or "_user_id" in session
        ):
            headers["Cache-Control"] = NO_STORE
        return response
