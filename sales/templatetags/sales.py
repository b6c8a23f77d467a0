from django import template

from ..tables import points_moved as describe_points

register = template.Library()


@register.filter
def points_moved(sale):
    return describe_points(sale)
