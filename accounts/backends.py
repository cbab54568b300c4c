"""CA登录: the authentication backend that knows an account by its bound certificate.

Called through django.contrib.auth.authenticate() like the password backend, so django-axes'
backend (first in AUTHENTICATION_BACKENDS) refuses a locked account or address before this one is
asked, a certificate that names no account is a failed login counted by axes, and a success writes
axes' access log: the same lockout and the same record as a password login.
"""

from django.contrib.auth.backends import ModelBackend

from accounts.selectors import certificate_binding_for
from core.client_certificate import ClientCertificate

CERTIFICATE_BACKEND = "accounts.backends.CertificateBackend"


class CertificateBackend(ModelBackend):
    def authenticate(self, request, certificate: ClientCertificate | None = None, **kwargs):
        if certificate is None:  # a password login: not ours
            return None
        binding = certificate_binding_for(certificate=certificate)
        if binding is None or not self.user_can_authenticate(binding.user):
            return None
        return binding.user
