from django import template

from comments.admin import paging, rows

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def comment_date_hierarchy(cl):
    """The comment list's date drill-down without Django's DISTINCT over every matching comment."""
    return paging.date_hierarchy(cl)


@register.simple_tag(takes_context=True)
def comment_result_list(context, cl):
    """The comment list's table: rows worked out once per page (comments/admin/rows.py)."""
    name, values = rows.context(cl)
    return context.template.engine.get_template(name).render(context.new(values))
