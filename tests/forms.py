"""Read a rendered HTML form as a browser would: its values, and the errors shown."""

import re
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data = {}
        self._select = None
        self._select_first_option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("file", "submit", "button"):
                self.data[name] = [attrs.get("value", "")]
        elif tag == "select" and name:
            self._select, self._select_first_option = name, None
            self.data[name] = []
        elif tag == "option" and self._select:
            if self._select_first_option is None:
                self._select_first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = []

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self._select:
            # A single select with nothing selected submits its first option.
            if not self.data[self._select]:
                self.data[self._select] = [self._select_first_option or ""]
            self._select = None
        elif tag == "textarea" and self._textarea:
            # HTML drops the newline right after <textarea>.
            self.data[self._textarea] = ["".join(self.data[self._textarea]).removeprefix("\n")]
            self._textarea = None


def form_data(response, form_id=None):
    """Return the fields of the form in ``response`` as ``client.post`` data.

    Values are lists, one item per submitted value; disabled fields and unticked boxes are
    left out, as a browser leaves them out.
    """
    return form_values(response.content.decode(), form_id)


def form_values(html, form_id=None):
    """``form_data`` of an HTML text."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.data


def field_errors(response, name):
    """Error messages rendered next to the field, as a user reads them."""
    errors = re.findall(
        rf'<(span|p) id="error_\d+_id_{name}"[^>]*>(.*?)</\1>', response.content.decode(), re.S
    )
    return [re.sub(r"<[^>]+>", "", error).replace("\xa0", " ").strip() for _, error in errors]
