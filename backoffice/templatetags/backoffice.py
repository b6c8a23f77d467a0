from django import template
from django.template.loader import render_to_string

from backoffice.money import format_money

register = template.Library()


@register.filter
def money(amount):
    """An amount with the installation's currency: ``{{ account.balance|money }}``."""
    return format_money(amount)


@register.tag
def card(parser, token):
    """A titled section card: ``{% card "Address" "address" %}...{% endcard %}``.

    The second argument is the card's id, which the heading's id is made from; optional
    keyword arguments ``body_class`` and ``extra_class`` add classes to the body and card.
    """
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% card %} needs a title and an id.")
    title, card_id = (parser.compile_filter(bit) for bit in bits[1:3])
    options = {}
    for bit in bits[3:]:
        name, _, value = bit.partition("=")
        options[name] = parser.compile_filter(value)
    nodelist = parser.parse(("endcard",))
    parser.delete_first_token()
    return CardNode(nodelist, title, card_id, options)


class CardNode(template.Node):
    def __init__(self, nodelist, title, card_id, options):
        self.nodelist = nodelist
        self.title = title
        self.card_id = card_id
        self.options = options

    def render(self, context):
        return render_to_string(
            "generic/includes/card.html",
            {
                "title": self.title.resolve(context),
                "card_id": self.card_id.resolve(context),
                "body": self.nodelist.render(context),
                **{name: value.resolve(context) for name, value in self.options.items()},
            },
        )
