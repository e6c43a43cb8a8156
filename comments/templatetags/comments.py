from django import template

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    """The article page's comment section; the articles app reaches comments only through this tag."""
    return {"article": article, "request": context.get("request")}
