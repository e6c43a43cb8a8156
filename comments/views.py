from django.shortcuts import get_object_or_404, redirect

from comments.models import Comment


def permalink(request, pk):
    comment = get_object_or_404(Comment.objects.visible().select_related("article"), pk=pk)
    return redirect(f"{comment.article.get_absolute_url()}#comment-{comment.pk}")
