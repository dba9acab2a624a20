import requests

from odoo.tests import tagged
from odoo.tests.common import BlockedRequest

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestSandboxGuard(KvkCase):
    """Tests reach the sandbox over real HTTP, and nothing else."""

    def test_sandbox_answers_over_http(self):
        answer = requests.get(f"{self.sandbox_url}/kvk/health", timeout=5)
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json()["service"], "kvk")

    def test_fault_knobs_reach_the_service(self):
        self.sandbox_control.arm_fault("/kvk/", status=503)
        answer = requests.get(f"{self.sandbox_url}/kvk/health", timeout=5)
        self.assertEqual(answer.status_code, 503)
        self.assertEqual(answer.json()["fout"][0]["code"], "IPD1003")
        self.assertEqual(requests.get(f"{self.sandbox_url}/kvk/health", timeout=5).status_code, 200)

    def test_everything_else_is_blocked(self):
        with self.assertRaises(BlockedRequest):
            requests.get("https://api.kvk.nl/test/api/v2/zoeken?kvkNummer=68750110", timeout=5)
        with self.assertRaises(BlockedRequest):
            requests.get("http://127.0.0.1:9/", timeout=5)  # loopback, but not the sandbox
