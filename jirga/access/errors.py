"""What access control refuses. Every message names the user, the object and the reason, never a secret.

    AccessError
     ├── AuthenticationError   wrong password, unknown user, bad, revoked or expired token, disabled user
     ├── PermissionDenied      the user is known but their role or organisation does not allow the act
     └── NotFound              the user, organisation, group or token named does not exist (or is not theirs to see)
"""

from __future__ import annotations


class AccessError(Exception):
    """Base of access-control refusals."""


class AuthenticationError(AccessError):
    pass


class PermissionDenied(AccessError):
    pass


class NotFound(AccessError):
    pass
