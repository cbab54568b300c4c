"""Headers for every response: a Content-Security-Policy, and no-store for what belongs to one person.

A Content-Security-Policy goes on every response that does not set its own.

The pages load scripts, styles, fonts and images from this site only and carry no inline script
(tests/security/test_headers.py keeps it so), so an injected <script> or on*= attribute does not
run even if a template ever forgot to escape. Inline style attributes stay allowed: a few
templates size boxes with them. Private files set a stricter policy themselves
(core.private_files).
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


class PrivatePagesNotStoredMiddleware:
    """`Cache-Control: no-store, private` on every response that belongs to one person.

    That is any response to a logged-in request (console pages show full ID numbers) and any
    response while the visitor's session holds something (a registration draft). Directives a view
    set itself stay (never_cache's are stricter still); a `public` is dropped. Listed after the
    authentication middleware: who asked is read before the view runs, so the logout answer counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        logged_in = request.user.is_authenticated
        response = self.get_response(request)
        if logged_in or request.user.is_authenticated or not request.session.is_empty():
            patch_cache_control(response, no_store=True, private=True)
        return response
