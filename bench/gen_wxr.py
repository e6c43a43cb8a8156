#!/usr/bin/env python3
"""Write a WordPress export (WXR 1.2) of N posts and M comments, streaming, for exports of any size.

    .venv/bin/python bench/gen_wxr.py --posts 2000 --comments 200000 -o /tmp/export.xml

The shape follows a busy news blog: a handful of authors and Co-Authors Plus guest bylines, categories and tags,
classic and block content with [caption] shortcodes, and comments spread evenly over the posts, half of them
replies (threads nest up to six deep, deeper than the site shows), with WordPress's statuses (about 86% approved,
5% held, 4% spam, 3% trash), 2% pingbacks and 1% replies to a comment missing from the file. The output is the
same for the same arguments (--seed), and memory stays flat: each post is written as soon as it is made.
"""

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta

AUTHORS = [("jsmith", "John Smith"), ("mjones", "Mary Jones"), ("lchen", "Li Chen"), ("okafor", "Ada Okafor")]
CATEGORIES = [("news", "News"), ("politics", "Politics"), ("business", "Business"), ("sport", "Sport")]
TAGS = [("elections", "Elections"), ("budget", "Budget"), ("transit", "Transit"), ("schools", "Schools")]
WORDS = (
    "the council mayor budget vote street school bridge résumé café reader city transit plan tax week report "
    "said would could meeting public night морковь 東京 agree disagree because however story"
).split()


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def header(out, args) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"'
        ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        f"<title>Generated Gazette</title><link>{args.site}</link><wp:wxr_version>1.2</wp:wxr_version>\n"
        f"<wp:base_site_url>{args.site}</wp:base_site_url><wp:base_blog_url>{args.site}</wp:base_blog_url>\n"
    )
    for n, (login, name) in enumerate(AUTHORS, start=2):
        out.write(
            f"<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_display_name>{cdata(name)}</wp:author_display_name></wp:author>\n"
        )
    for n, (slug, name) in enumerate(CATEGORIES, start=10):
        out.write(
            f"<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>{slug}</wp:category_nicename>"
            f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
        )
    for n, (slug, name) in enumerate(TAGS, start=20):
        out.write(
            f"<wp:tag><wp:term_id>{n}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
        )


def comment_xml(rng: random.Random, comment_id: int, parent: int, when: datetime) -> str:
    roll = rng.random()
    approved, kind = "1", "comment"
    if roll < 0.05:
        approved = "0"
    elif roll < 0.09:
        approved = "spam"
    elif roll < 0.12:
        approved = "trash"
    elif roll < 0.14:
        kind = "pingback"
    body = "\n\n".join(sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.1:
        body += ' See <a href="https://example.org/more">this</a>.'
    n = rng.randint(1, 5000)
    return (
        f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author>{cdata(f'Reader {n}')}</wp:comment_author>"
        f"<wp:comment_author_email>{cdata(f'reader{n}@example.org')}</wp:comment_author_email>"
        f"<wp:comment_author_url></wp:comment_author_url>"
        f"<wp:comment_author_IP>{cdata(f'198.51.{n % 256}.{n // 256 + 1}')}</wp:comment_author_IP>"
        f"<wp:comment_date>{cdata(f'{when - timedelta(hours=4):%Y-%m-%d %H:%M:%S}')}</wp:comment_date>"
        f"<wp:comment_date_gmt>{cdata(f'{when:%Y-%m-%d %H:%M:%S}')}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(body)}</wp:comment_content>"
        f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
        f"<wp:comment_type>{cdata(kind)}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
    )


def post_xml(rng: random.Random, args, post_id: int, comments: int, next_comment: int) -> tuple[str, int]:
    when = datetime(2012, 1, 1, tzinfo=UTC) + timedelta(minutes=137 * post_id)
    slug = f"story-{post_id}-{rng.choice(WORDS[:20])}"
    paragraphs = [sentence(rng, rng.randint(20, 60)) for _ in range(rng.randint(3, 8))]
    if post_id % 2:
        content = "\n\n".join(paragraphs)
        content += (
            f'\n\n[caption id="attachment_{post_id}" align="aligncenter" width="600"]<img src="{args.site}'
            f'/wp-content/uploads/2012/01/p{post_id}.jpg" alt="Scene" /> A caption[/caption]'
        )
    else:
        content = "\n\n".join(f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->" for p in paragraphs)
    login = rng.choice(AUTHORS)[0]
    terms = [rng.choice(CATEGORIES), *rng.sample(TAGS, 2)]
    parts = [
        f"<item><title>{cdata(sentence(rng, 8))}</title>",
        f"<link>{args.site}/{when:%Y/%m/%d}/{slug}/</link>",
        f"<dc:creator>{cdata(login)}</dc:creator>",
        f"<content:encoded>{cdata(content)}</content:encoded>",
        f"<excerpt:encoded>{cdata(sentence(rng, 15))}</excerpt:encoded>",
        f"<wp:post_id>{post_id}</wp:post_id>",
        f"<wp:post_date>{cdata(f'{when - timedelta(hours=4):%Y-%m-%d %H:%M:%S}')}</wp:post_date>",
        f"<wp:post_date_gmt>{cdata(f'{when:%Y-%m-%d %H:%M:%S}')}</wp:post_date_gmt>",
        f"<wp:post_name>{cdata(slug)}</wp:post_name><wp:status>{cdata('publish')}</wp:status>",
        f"<wp:post_parent>0</wp:post_parent><wp:post_type>{cdata('post')}</wp:post_type>",
        "<wp:is_sticky>0</wp:is_sticky>",
        f'<category domain="category" nicename="{terms[0][0]}">{cdata(terms[0][1])}</category>',
        *(f'<category domain="post_tag" nicename="{s}">{cdata(n)}</category>' for s, n in terms[1:]),
    ]
    if rng.random() < 0.1:
        parts.append(
            f"<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value>{slug}-old</wp:meta_value></wp:postmeta>"
        )
    depth: dict[int, int] = {}
    ids: list[int] = []
    for n in range(comments):
        comment_id = next_comment + n
        parent = 0
        if ids and rng.random() < 0.5:
            parent = rng.choice(ids[-20:])
            if depth[parent] >= 5:
                parent = 0
        if rng.random() < 0.01:
            parent = comment_id + 10_000_000  # a reply to spam WordPress did not export
        depth[comment_id] = depth.get(parent, -1) + 1
        ids.append(comment_id)
        parts.append(comment_xml(rng, comment_id, parent, when + timedelta(minutes=3 * n + 1)))
    parts.append("</item>\n")
    return "".join(parts), next_comment + comments


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--site", default="http://generated.example.com")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("-o", "--output", default="-", help="File to write (default: standard output).")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        header(out, args)
        next_comment = 1
        per_post, extra = divmod(args.comments, args.posts)
        for post_id in range(1, args.posts + 1):
            text, next_comment = post_xml(rng, args, post_id, per_post + (post_id <= extra), next_comment)
            out.write(text)
        out.write("</channel>\n</rss>\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
