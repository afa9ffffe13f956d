"""Pages of the compliance app: form → service / selector → template."""

from django.core.exceptions import ValidationError


def apply_service(form, action):
    """Run a service; its validation errors go onto the form. Returns the result or None."""
    try:
        return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            form.add_error(None, error.messages)
        return None
