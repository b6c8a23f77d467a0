from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Password change whose old-password check goes through ``authenticate()``, so that
    django-axes counts wrong old passwords and locks them out exactly as at sign-in."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise self.get_invalid_login_error()
        return old_password

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["password_incorrect"], code="password_incorrect"
        )


# A form page's fields as they were when it was first loaded are posted back under this
# prefix (customers.forms.CustomerForms.original_values), to tell what the person changed.
ORIGINAL_PREFIX = "original-"


def section_helper(*layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper
