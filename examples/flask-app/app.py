"""The example service container-ship builds, smoke-tests and publishes."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello from Docker!"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


if __name__ == "__main__":
    # Development server only; the image runs gunicorn (see Dockerfile).
    app.run(host="0.0.0.0", port=5000)
