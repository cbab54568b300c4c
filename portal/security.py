"""A Content-Security-Policy on every response that does not set its own.

The pages load scripts, styles, fonts and images from this site only and carry no inline script
(tests/security/test_headers.py keeps it so), so an injected <script> or on*= attribute does not
run even if a template ever forgot to escape. Inline style attributes stay allowed: a few
templates size boxes with them. Private files set a stricter policy themselves
(portal.private_files).
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
