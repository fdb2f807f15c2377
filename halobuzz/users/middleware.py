from halobuzz.users.preferences import activate_request_preferences


class UserPreferencesMiddleware:
    """Runs after authentication: the signed-in user's language beats the cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_request_preferences(request)
        return self.get_response(request)
