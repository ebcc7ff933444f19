import unittest

from app import app


class AppTest(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_index_greets(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.get_data(as_text=True), "Hello from Docker!")

    def test_healthz_answers_ok(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.get_json(), {"status": "ok"})

    def test_unknown_path_is_404(self):
        self.assertEqual(self.client.get("/nope").status_code, 404)

    def test_index_rejects_post(self):
        self.assertEqual(self.client.post("/").status_code, 405)

    def test_gunicorn_loads_the_app(self):
        # gunicorn 20.1 imports pkg_resources (setuptools): a base image without it fails here, not at run time.
        from gunicorn.util import import_app

        self.assertIs(import_app("app:app"), app)


if __name__ == "__main__":
    unittest.main()
