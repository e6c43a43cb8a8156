"""A believable demo newsroom: sections, authors, ~30 articles in every status, and three demo logins.

Every row it makes carries `is_demo`, and it finds its own rows by that mark alone. Once the demo articles exist
a re-run makes no change to any article, section, tag or author (an editor's rename, edit or deletion stands),
nor to the demo logins once they exist (a changed password stays changed). Everything here is invented: Port
Alden and its people are fictional.
"""

import io
import math
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from PIL import Image, ImageDraw

from articles.models import Article, ArticleRedirect, Author, Byline, Correction, Section, Tag
from articles.seo import FALLBACK_SITE_URL

DEMO_USERS = [
    # username, password, group, what they may do
    ("reporter", "newsroom-reporter", "Reporter", "files drafts and submits them for review"),
    ("editor", "newsroom-editor", "Editor", "publishes, schedules, unpublishes, adds corrections"),
    ("moderator", "newsroom-moderator", "Moderator", "moderates comments; no article editing"),
]

SECTIONS = [
    ("politics", "Capitol Notebook", "Our politics blog: the statehouse, city hall and the campaigns, as they happen.",
     (37, 64, 97)),
    ("world", "World", "Dispatches from abroad and from the wire.", (52, 94, 74)),
    ("business", "Business", "The port, the shops and the people who keep them running.", (120, 84, 30)),
    ("climate", "Science & Climate", "Weather, water and the science behind the headlines.", (30, 100, 120)),
    ("metro", "Metro", "Neighborhoods, schools, transit and everyday life in Port Alden.", (110, 50, 80)),
]  # fmt: skip

TAGS = ["Elections", "City Council", "Budget", "Defense", "Transit", "Harbor", "Schools", "Housing", "Storms",
        "Energy", "Jobs", "Courts"]  # fmt: skip

AUTHORS = [
    # slug, name, title, bio, username of the linked login (None: guest or wire byline)
    ("dana-whitfield", "Dana Whitfield", "Statehouse reporter",
     "Dana Whitfield covers the legislature and the governor's office. She joined the newsroom from a weekly in "
     "the valley, where she covered nine school boards at once.", "reporter"),
    ("marcus-hale", "Marcus Hale", "Politics editor",
     "Marcus Hale edits Capitol Notebook and has covered six state elections.", "editor"),
    ("priya-raman", "Priya Raman", "Pentagon producer",
     "Priya Raman produces defense and national-security coverage from Washington.", None),
    ("tomas-ecker", "Tomás Ecker", "Climate correspondent",
     "Tomás Ecker writes about weather, water and the coast.", None),
    ("lena-okafor", "Lena Okafor", "Business reporter",
     "Lena Okafor covers the port, small business and the labor market.", None),
    ("sam-ibarra", "Sam Ibarra", "Metro reporter",
     "Sam Ibarra covers transit, housing and the neighborhoods of Port Alden.", None),
    ("harbor-wire", "Harbor Wire Service", "Wire service", "", None),
    ("ruth-calloway", "Ruth Calloway", "Guest contributor",
     "Ruth Calloway is a retired harbor pilot who writes occasionally about life on the water.", None),
]  # fmt: skip

# slug, headline, dek, section, bylines (in order), tags, status, hours before the first seeding
# (negative: in the future), lede.
P, D, R, U = Article.Status.PUBLISHED, Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.UNPUBLISHED
ARTICLES = [
    ("budget-vote-slips-to-friday", "Budget vote slips to Friday as senators haggle over school aid",
     "Leaders say they are close; the school formula is the last sticking point.", "politics",
     ["dana-whitfield"], ["Budget", "Schools"], P, 6,
     "The state Senate put off its final budget vote until Friday after a late caucus meeting ended without a deal "
     "on how much aid should flow to fast-growing school districts."),
    ("ferry-pilot-approved", "Council approves a one-year ferry pilot across the bay",
     "Two boats, twelve trips a day, and a fare capped at the price of a bus ticket.", "metro",
     ["sam-ibarra"], ["City Council", "Transit", "Harbor"], P, 15,
     "The Port Alden City Council voted 7-2 on Tuesday night to fund a one-year ferry pilot linking the north "
     "shore to the downtown terminal, the first scheduled passenger service on the bay in three decades."),
    ("readiness-review-ordered", "Defense secretary orders a readiness review of reserve units",
     "The review follows a year of missed training targets, officials said.", "world",
     ["priya-raman", "marcus-hale", "harbor-wire"], ["Defense"], P, 24,
     "The defense secretary has ordered a sweeping review of readiness in reserve units after internal figures "
     "showed a year of missed training targets, according to two officials familiar with the order."),
    ("storm-season-outlook", "Forecasters expect a busier storm season than usual",
     "Warm water offshore is the main reason, the outlook says.", "climate",
     ["tomas-ecker"], ["Storms"], P, 33,
     "Seasonal forecasters on Monday predicted a busier-than-usual storm season for the coast, pointing to "
     "unusually warm water offshore and a weak pattern of high-altitude winds."),
    ("port-hiring-surge", "Port terminals add 400 jobs as cargo volumes climb",
     "Crane operators and truck dispatchers are in shortest supply.", "business",
     ["lena-okafor"], ["Harbor", "Jobs"], P, 42,
     "Terminal operators at the Port of Port Alden have added about 400 jobs since spring as container volumes "
     "climbed for the fifth straight month, according to figures released by the port authority."),
    ("governor-signs-transit-bill", "Governor signs transit bill, with a veto of two pages",
     "The line-item veto removes money for a study the governor called premature.", "politics",
     ["dana-whitfield", "marcus-hale"], ["Transit", "Budget"], P, 60,
     "The governor signed the transit funding bill on Wednesday but struck two pages that would have paid for a "
     "study of a second rail tunnel, calling the study premature."),
    ("night-buses-return", "Night buses return to three routes next month",
     "Riders who work late shifts lobbied for a year to bring them back.", "metro",
     ["sam-ibarra"], ["Transit"], P, 78,
     "Overnight service will return to three bus routes next month, the transit authority said, after a year of "
     "lobbying by hospital workers, cooks and cleaners who finish their shifts after midnight."),
    ("summit-ends-without-statement", "Regional summit ends without a joint statement",
     "Delegates disagreed over fishing rights until the final hour.", "world",
     ["harbor-wire"], [], P, 90,
     "A two-day regional summit ended on Sunday without the joint statement its hosts had promised, after "
     "delegations failed to settle a dispute over fishing rights in shared waters."),
    ("tide-gauge-record", "Harbor tide gauge logs its highest reading in 40 years",
     "No flooding was reported, but the margin was a few inches.", "climate",
     ["tomas-ecker"], ["Harbor", "Storms"], P, 108,
     "The tide gauge at the harbor entrance logged its highest reading in four decades on Saturday morning, "
     "coming within a few inches of the level at which the waterfront promenade floods."),
    ("bakery-expands", "A neighborhood bakery bets on a second shop",
     "The owners say the new store will train apprentices from the vocational school.", "business",
     ["lena-okafor"], ["Jobs"], P, 132,
     "A family-run bakery that began as a market stall will open a second shop in the old rail depot this fall, "
     "its owners said, and will train apprentices from the city's vocational high school."),
    ("campaign-finance-filings", "Filings show a late money race in the mayor's contest",
     "Two candidates raised more in three weeks than in the previous three months.", "politics",
     ["marcus-hale"], ["Elections"], P, 156,
     "The two leading candidates for mayor each raised more money in the past three weeks than in the three "
     "months before, according to filings released on Thursday."),
    ("school-boundaries-hearing", "Parents pack hearing on new school boundaries",
     "The board will vote next month; more than 200 people signed up to speak.", "metro",
     ["sam-ibarra"], ["Schools"], P, 180,
     "More than 200 parents signed up to speak at a hearing on redrawing attendance zones for the city's middle "
     "schools, keeping the school board in session past midnight."),
    ("shipyard-contract", "Shipyard wins a contract for four patrol boats",
     "The work will keep the yard busy into the next decade, its managers say.", "world",
     ["priya-raman"], ["Defense", "Jobs"], P, 210,
     "The shipyard on the north shore has won a contract to build four patrol boats, a deal its managers said "
     "would keep the yard's welders and fitters busy into the next decade."),
    ("solar-on-schools", "District plans solar panels on a dozen school roofs",
     "The panels would cover about a third of the district's power bill.", "climate",
     ["tomas-ecker", "sam-ibarra"], ["Energy", "Schools"], P, 240,
     "The school district plans to install solar panels on the roofs of twelve schools over the next two "
     "summers, a project officials say would cover about a third of its electricity bill."),
    ("rents-level-off", "Rents level off after three years of steep increases",
     "Landlords are offering a free month on new leases in some neighborhoods.", "business",
     ["lena-okafor"], ["Housing"], P, 288,
     "Average asking rents in Port Alden were flat in the second quarter for the first time in three years, and "
     "some landlords have begun offering a free month to new tenants."),
    ("recount-requested", "Narrow loser requests a recount in the council race",
     "Fourteen votes separate the candidates after provisional ballots were counted.", "politics",
     ["dana-whitfield"], ["Elections", "City Council"], P, 330,
     "The candidate who trails by fourteen votes in the race for the third council district asked for a recount "
     "on Friday, after election officials finished counting provisional ballots."),
    ("library-hours", "Branch libraries will open on Sundays again",
     "The council restored the money in its final budget amendments.", "metro",
     ["sam-ibarra"], ["Budget"], P, 390,
     "All five branch libraries will reopen on Sundays starting next month, after the council restored the money "
     "for weekend staff in its final round of budget amendments."),
    ("life-on-the-pilot-boat", "Forty years on the pilot boat, in all weather",
     "A retired harbor pilot on fog, freighters and the night the radar failed.", "climate",
     ["ruth-calloway"], ["Harbor"], P, 450,
     "For forty years I climbed a rope ladder onto ships I had never seen before, in fog and in gales, and "
     "guided them through a channel I could draw with my eyes shut."),
    ("wire-election-abroad", "Voters abroad head to the polls in a tight parliamentary race",
     "Polls show no party near a majority.", "world",
     ["harbor-wire"], ["Elections"], P, 510,
     "Voters went to the polls on Sunday in a parliamentary election that surveys suggested would leave no party "
     "close to a majority, setting up weeks of coalition talks."),
    ("courthouse-renovation", "Courthouse renovation runs a year behind",
     "Jury trials will stay in a converted warehouse until next spring.", "metro",
     ["sam-ibarra"], ["Courts", "Budget"], P, 570,
     "The renovation of the county courthouse is running a year behind schedule, and jury trials will stay in a "
     "converted warehouse on the waterfront until at least next spring, court administrators said."),
    ("ethics-panel-hearing", "Ethics panel schedules a hearing on a senator's consulting work",
     "The senator says the work was disclosed and approved.", "politics",
     ["dana-whitfield", "marcus-hale"], ["Courts"], P, 660,
     "The legislature's ethics panel will hold a public hearing next week on consulting work a senator did for a "
     "company with business before his committee. The senator said the work was disclosed and approved."),
    ("grain-prices", "Grain shipments slow as prices fall",
     "Exporters are holding stock in the terminal silos and waiting.", "business",
     ["lena-okafor", "harbor-wire"], ["Harbor"], P, 750,
     "Grain shipments through the port slowed in the past month as falling prices led exporters to hold stock in "
     "the terminal's silos rather than sell."),
    ("heat-advisory", "Heat advisory issued as temperatures near 100",
     "Cooling centers will stay open until 10 p.m.", "climate",
     ["tomas-ecker"], ["Storms"], P, 840,
     "Forecasters issued a heat advisory for the city and its suburbs through Thursday, with temperatures expected "
     "to approach 100 degrees in the afternoon."),
    ("bridge-inspection", "Inspection finds corrosion on the old drawbridge",
     "Trucks over ten tons are barred until repairs are done.", "metro",
     ["sam-ibarra"], ["Transit"], P, 960,
     "A routine inspection found corrosion on two support beams of the old drawbridge, and the city has barred "
     "trucks heavier than ten tons until repairs are finished."),
    ("debate-night-preview", "What to watch for in the first mayoral debate",
     "Housing, the ferry and the budget are expected to dominate.", "politics",
     ["marcus-hale"], ["Elections", "Housing"], P, -144,
     "The four candidates for mayor meet on Thursday for their first televised debate, and their campaigns expect "
     "housing costs, the ferry pilot and the city budget to take up most of the hour."),
    ("draft-stadium-talks", "Stadium talks resume behind closed doors",
     "The team wants a new lease; the council wants a cap on public money.", "politics",
     ["dana-whitfield"], ["City Council", "Budget"], D, 1,
     "Negotiators for the city and the baseball team resumed talks this week over a new stadium lease, with the "
     "council insisting on a cap on public money."),
    ("draft-water-rates", "Water rates may rise to pay for new pipes",
     "A consultant's report recommends an increase over five years.", "climate",
     ["tomas-ecker"], ["Budget"], D, 3,
     "A consultant hired by the water utility recommends raising rates over five years to replace pipes laid "
     "more than a century ago."),
    ("review-teacher-contract", "Teachers and district reach a tentative contract",
     "Members will vote next week on a three-year deal.", "metro",
     ["dana-whitfield", "sam-ibarra"], ["Schools", "Jobs"], R, 4,
     "The teachers' union and the school district reached a tentative three-year contract early Saturday after a "
     "negotiating session that ran through the night."),
    ("review-warehouse-automation", "Warehouses automate as the labor market tightens",
     "Robots now move pallets at three of the port's largest warehouses.", "business",
     ["lena-okafor"], ["Jobs", "Harbor"], R, 6,
     "Three of the largest warehouses near the port now use robots to move pallets, their operators said, a shift "
     "they attribute to the difficulty of hiring."),
    ("unpublished-poll-story", "Poll shows a tight mayoral race",
     "Withdrawn pending a review of the poll's methods.", "politics",
     ["marcus-hale"], ["Elections"], U, 120,
     "A poll of likely voters shows the two leading candidates for mayor within two points of each other."),
]  # fmt: skip

SECTION_PARAGRAPHS = {
    "politics": [
        "Lawmakers from both parties said privately that the outcome would depend on a handful of members from "
        "suburban districts, several of whom face competitive races in the fall.",
        "Staff members spent the afternoon shuttling between offices with revised spreadsheets, and at least one "
        "meeting ended with a door closing harder than usual.",
        "The governor's office declined to comment on the negotiations, saying only that the governor expected "
        "a bill on her desk that she could sign without changes.",
        "Lobbyists for the teachers' union, the chamber of commerce and the county association were seen in the "
        "hallways outside the committee rooms well into the evening.",
    ],
    "metro": [
        "Neighbors who attended said they wanted to see the details before deciding whether the plan would help "
        "or hurt their blocks, and several asked for another meeting in the evening, after work.",
        "City officials said they would publish the full plan online and collect comments for thirty days.",
        "The neighborhood association has asked for a traffic study, and its president said the group would "
        "not take a position until one was done.",
        "Council members from the east side said the city had heard from their residents last, and that the "
        "schedule should reflect that.",
    ],
    "world": [
        "Officials who spoke on condition of anonymity because they were not authorized to discuss the matter said "
        "the details were still being worked out.",
        "Analysts said the decision reflected pressures that had been building for months.",
        "Diplomats from neighboring countries said they had been briefed in general terms but had not seen the "
        "text, and that they would study it closely before responding.",
        "The announcement came late on a Friday, a timing that several observers said was not an accident.",
    ],
    "business": [
        "Economists cautioned that a single quarter of figures can mislead, and that the trend would be clearer by "
        "the end of the year.",
        "Owners of smaller firms said the change was already visible in their order books.",
        "The port authority's own projections, published in the spring, had assumed slower growth, and its "
        "budget will now be revised.",
        "Union representatives said they welcomed the jobs but wanted guarantees about training and overtime.",
    ],
    "climate": [
        "Scientists at the state university said the readings fit a pattern they have tracked for two decades, "
        "though any single season can run against it.",
        "Emergency managers urged residents to check their supplies and to sign up for the city's text alerts.",
        "The harbor master said crews had inspected the sea wall twice in the past month and found no new damage.",
        "Insurers in the region have raised premiums for waterfront properties for three years running, and brokers "
        "say they expect another increase.",
    ],
}
SUBHEADS = ["What happens next", "How we got here", "What it costs", "Who is affected", "The numbers"]
QUOTES = [
    "We are not there yet, but we are closer than we were this morning.",
    "People have been asking for this for years. Now we have to make it work.",
    "Nobody wants to be the one who says no at the last minute.",
    "It is the kind of number you notice, and then you check it twice.",
    "If you live on this street, you already know. The question is what the city does about it.",
    "We will read every comment we get. That is a promise, not a formality.",
]
QUOTED = ["a senior aide said", "said a longtime resident", "an official said", "one analyst said",
          "said the committee's chair", "a spokeswoman said"]  # fmt: skip
IMAGE_CREDIT = "Newsroom demo illustration"
IMAGE_SIZE = (1200, 675)

User = get_user_model()


class Command(BaseCommand):
    help = "Create the demo newsroom (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-logins", action="store_true", help="Do not print the demo logins (`make run` prints them last)."
        )

    def handle(self, *args, no_logins=False, **options):
        with transaction.atomic():
            users = self.seed_users()
            # The demo's own rows are found by their mark only. Once there are demo articles the newsroom has been
            # seeded, and everything in it (renamed, edited, deleted by an editor) is left as the editors left it.
            created = 0
            if not Article.objects.filter(is_demo=True).exists():
                sections = self.seed_sections()
                tags = {name: self.demo_row(Tag, slugify(name), name=name) for name in TAGS}
                authors = self.seed_authors(users)
                created = self.seed_articles(sections, tags, authors, users)
        self.report(created)
        if not no_logins:
            self.stdout.write(logins_text(settings.SITE_URL or FALLBACK_SITE_URL))

    def seed_users(self):
        users = {}
        for username, password, group, _ in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=f"{username}@example.com", is_staff=True)
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=group))
            # An existing account is left as it is: someone who changed its password (or its rights) chose to.
            users[username] = user
        return users

    def demo_row(self, model, slug: str, **fields):
        """The row with this slug: an existing one (the newsroom's own, left untouched) or a new demo one."""
        return model.objects.get_or_create(slug=slug, defaults={**fields, "is_demo": True})[0]

    def seed_sections(self):
        return {
            slug: self.demo_row(Section, slug, name=name, description=description)
            for slug, name, description, _ in SECTIONS
        }

    def seed_authors(self, users):
        authors = {}
        for slug, name, title, bio, username in AUTHORS:
            user = users.get(username)
            author = self.demo_row(Author, slug, name=name, title=title, bio=bio)
            if author.is_demo and user is not None and author.user_id is None:
                author.user = user
                author.save(update_fields=["user"])
            authors[slug] = author
        return authors

    def seed_articles(self, sections, tags, authors, users) -> int:
        anchor = timezone.now().replace(second=0, microsecond=0)
        colors = {slug: color for slug, _, _, color in SECTIONS}
        created = 0
        for index, (slug, headline, dek, section_slug, bylines, tag_names, status, hours, lede) in enumerate(ARTICLES):
            section = sections[section_slug]
            first_author = authors[bylines[0]]
            published_at = anchor - timedelta(hours=hours) if status in (P, U) else None
            if published_at and Article.objects.on_day(timezone.localdate(published_at)).filter(slug=slug).exists():
                # The newsroom has its own story at this address: the demo one gets another.
                slug = f"{slug}-demo"
            article = Article.objects.create(
                headline=headline,
                slug=slug,
                dek=dek,
                body=_body(lede, section_slug, index),
                section=section,
                status=status,
                published_at=published_at,
                created_at=anchor - timedelta(hours=abs(hours) + 3),
                created_by=first_author.user or users["editor"],
                lead_image=self.lead_image(ARTICLES[index][0], index, colors[section_slug]),
                lead_image_caption=f"{section.name}: an illustration for the demo newsroom.",
                lead_image_credit=IMAGE_CREDIT,
                lead_image_alt=f"An abstract {section.name} illustration in muted colors",
                is_demo=True,
            )
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[author_slug], position=position)
                for position, author_slug in enumerate(bylines)
            )
            article.tags.set([tags[name] for name in tag_names])
            # As if written before publication and left alone since: no "Updated" line on the page.
            Article.objects.filter(pk=article.pk).update(updated_at=published_at or article.created_at)
            created += 1
            self.embellish(article, ARTICLES[index][0])
        return created

    def embellish(self, article, key: str):
        """The demo shows the pieces a day-one newsroom needs: corrections, updates and a moved story."""
        if key == "port-hiring-surge":
            Correction.objects.create(
                article=article,
                text="An earlier version of this article misstated the number of months in which container "
                "volumes rose. It was five, not six.",
                created_at=article.published_at + timedelta(hours=3),
            )
        if key == "storm-season-outlook":
            Correction.objects.create(
                article=article,
                kind=Correction.Kind.UPDATE,
                text="This article was updated with the forecast's range for the number of named storms.",
                created_at=article.published_at + timedelta(hours=2),
            )
            # updated_at is auto_now: set it directly so the page says "Updated" two hours after publication.
            Article.objects.filter(pk=article.pk).update(updated_at=article.published_at + timedelta(hours=2))
        if key == "ferry-pilot-approved":
            # First published under a longer slug, then renamed: the old address answers 301.
            old_path = Article.path_for("council-approves-ferry-pilot", article.published_at)
            if not ArticleRedirect.objects.filter(old_path=old_path).exists():
                ArticleRedirect.objects.create(old_path=old_path, article=article)

    def lead_image(self, key: str, index: int, color: tuple[int, int, int]) -> str:
        """A generated lead image per demo article, written once into MEDIA_ROOT (the same picture every time)."""
        name = f"demo/lead-{key}.jpg"
        if not default_storage.exists(name):
            buffer = io.BytesIO()
            draw_lead_image(index, color).save(buffer, format="JPEG", quality=80)
            default_storage.save(name, ContentFile(buffer.getvalue()))
        return name

    def report(self, created: int):
        demo = Article.objects.filter(is_demo=True)
        counts = {
            "live": demo.published().count(),
            "scheduled": demo.scheduled().count(),
            **{
                label.lower(): demo.filter(status=value).count()
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            },
        }
        self.stdout.write(
            f"Demo newsroom ready: {sum(counts.values())} demo articles ("
            + ", ".join(f"{count} {label}" for label, count in counts.items())
            + (f"), {created} of them new." if created else "); already seeded, nothing changed.")
        )


def logins_text(site_url: str) -> str:
    """Where the demo is and how to sign in, for the end of `make run`'s output."""
    lines = [f"\nSite:  {site_url}/", f"Admin: {site_url}/admin/", "", "Demo logins:"]
    lines += [f"  {group:<10} {user:<10} password: {password:<20} {can}" for user, password, group, can in DEMO_USERS]
    return "\n".join(lines) + "\n"


def shade(color: tuple[int, int, int], amount: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, channel + amount)) for channel in color)


def draw_lead_image(index: int, color: tuple[int, int, int]) -> Image.Image:
    """One of five motifs (skyline, waves, bar chart, sun over the water, city grid) in the section's colors,
    varied by the article's place in the list. Seeded randomness: the same index gives the same picture."""
    width, height = IMAGE_SIZE
    rng = random.Random(index)  # noqa: S311 - a picture, not a secret
    base = shade(color, rng.randint(-20, 20))
    image = Image.new("RGB", IMAGE_SIZE, base)
    draw = ImageDraw.Draw(image)
    for step in range(0, height, 15):  # a soft vertical gradient behind every motif
        draw.rectangle([0, step, width, step + 15], fill=shade(base, step // 12))
    motif = index % 5
    if motif == 0:  # skyline
        x = 0
        while x < width:
            w, h = rng.randint(60, 140), rng.randint(150, 480)
            draw.rectangle([x, height - h, x + w, height], fill=shade(base, -40 - rng.randint(0, 30)))
            for wy in range(height - h + 20, height - 20, 36):
                for wx in range(x + 12, x + w - 16, 26):
                    if rng.random() < 0.45:
                        draw.rectangle([wx, wy, wx + 10, wy + 16], fill=(250, 226, 150))
            x += w + rng.randint(4, 20)
    elif motif == 1:  # waves
        for row in range(8):
            y0 = 260 + row * 55
            points = [(x, y0 + 18 * math.sin((x + row * 40 + index * 17) / 70)) for x in range(0, width + 20, 20)]
            draw.line(points, fill=shade(base, 60 - row * 12), width=10)
    elif motif == 2:  # bar chart
        bars = rng.randint(6, 10)
        slot = (width - 200) // bars
        for n in range(bars):
            h = rng.randint(80, 470)
            left = 100 + n * slot
            draw.rectangle([left, height - 80 - h, left + slot - 24, height - 80], fill=shade(base, 70 - n * 6))
        draw.line([(80, height - 80), (width - 80, height - 80)], fill=(255, 255, 255), width=5)
    elif motif == 3:  # sun over the water
        cx, r = rng.randint(300, 900), rng.randint(90, 150)
        draw.ellipse([cx - r, 300 - r, cx + r, 300 + r], fill=(247, 200, 110))
        draw.rectangle([0, 380, width, height], fill=shade(base, -50))
        for y in range(400, height, 28):
            span = rng.randint(40, 160)
            draw.line([(cx - span, y), (cx + span, y)], fill=(247, 200, 110), width=4)
    else:  # city grid, seen from above
        for gx in range(0, width, 110):
            draw.rectangle([gx, 0, gx + 14, height], fill=shade(base, 80))
        for gy in range(0, height, 95):
            draw.rectangle([0, gy, width, gy + 14], fill=shade(base, 80))
        for _ in range(6):
            bx, by = rng.randrange(0, width, 110) + 24, rng.randrange(0, height, 95) + 24
            draw.rectangle([bx, by, bx + 76, by + 60], fill=shade(base, -45))
    return image


def _body(lede: str, section_slug: str, index: int) -> str:
    """A story of seven to nine paragraphs: the lede, the section's reporting, a quote and a subhead."""
    paragraphs = SECTION_PARAGRAPHS[section_slug]
    turn = [paragraphs[(index + n) % len(paragraphs)] for n in range(len(paragraphs))]
    quote = QUOTES[index % len(QUOTES)]
    parts = [
        f"<p>{escape(lede)}</p>",
        f"<p>{escape(turn[0])}</p>",
        f"<p>“{escape(quote)}” {escape(QUOTED[index % len(QUOTED)])}.</p>",
        f"<p>{escape(turn[1])}</p>",
        f"<h2>{escape(SUBHEADS[index % len(SUBHEADS)])}</h2>",
        f"<p>{escape(turn[2])}</p>",
        f"<blockquote><p>{escape(QUOTES[(index + 3) % len(QUOTES)])}</p></blockquote>",
        f"<p>{escape(turn[3])}</p>",
    ]
    if index % 3 == 0:
        parts.append(
            "<p>What happens next:</p><ul><li>A public comment period opens this week.</li>"
            "<li>A final decision is expected <em>within a month</em>.</li></ul>"
        )
    parts.append("<p><em>Reporting for this story was contributed by the newsroom's staff.</em></p>")
    return "".join(parts)
