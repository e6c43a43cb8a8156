"""A believable demo newsroom: sections, authors, ~30 articles in every status, and three demo logins.

Idempotent: what already exists (matched by slug or username) is left as it is, so a second run gives the
same site. Everything here is invented: Port Alden and its people are fictional.
"""

import io
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
     ["dana-whitfield"], ["Budget", "Schools"], P, 2,
     "The state Senate put off its final budget vote until Friday after a late caucus meeting ended without a deal "
     "on how much aid should flow to fast-growing school districts."),
    ("ferry-pilot-approved", "Council approves a one-year ferry pilot across the bay",
     "Two boats, twelve trips a day, and a fare capped at the price of a bus ticket.", "metro",
     ["sam-ibarra"], ["City Council", "Transit", "Harbor"], P, 5,
     "The Port Alden City Council voted 7-2 on Tuesday night to fund a one-year ferry pilot linking the north "
     "shore to the downtown terminal, the first scheduled passenger service on the bay in three decades."),
    ("readiness-review-ordered", "Defense secretary orders a readiness review of reserve units",
     "The review follows a year of missed training targets, officials said.", "world",
     ["priya-raman", "marcus-hale", "harbor-wire"], ["Defense"], P, 8,
     "The defense secretary has ordered a sweeping review of readiness in reserve units after internal figures "
     "showed a year of missed training targets, according to two officials familiar with the order."),
    ("storm-season-outlook", "Forecasters expect a busier storm season than usual",
     "Warm water offshore is the main reason, the outlook says.", "climate",
     ["tomas-ecker"], ["Storms"], P, 11,
     "Seasonal forecasters on Monday predicted a busier-than-usual storm season for the coast, pointing to "
     "unusually warm water offshore and a weak pattern of high-altitude winds."),
    ("port-hiring-surge", "Port terminals add 400 jobs as cargo volumes climb",
     "Crane operators and truck dispatchers are in shortest supply.", "business",
     ["lena-okafor"], ["Harbor", "Jobs"], P, 14,
     "Terminal operators at the Port of Port Alden have added about 400 jobs since spring as container volumes "
     "climbed for the fifth straight month, according to figures released by the port authority."),
    ("governor-signs-transit-bill", "Governor signs transit bill, with a veto of two pages",
     "The line-item veto removes money for a study the governor called premature.", "politics",
     ["dana-whitfield", "marcus-hale"], ["Transit", "Budget"], P, 20,
     "The governor signed the transit funding bill on Wednesday but struck two pages that would have paid for a "
     "study of a second rail tunnel, calling the study premature."),
    ("night-buses-return", "Night buses return to three routes next month",
     "Riders who work late shifts lobbied for a year to bring them back.", "metro",
     ["sam-ibarra"], ["Transit"], P, 26,
     "Overnight service will return to three bus routes next month, the transit authority said, after a year of "
     "lobbying by hospital workers, cooks and cleaners who finish their shifts after midnight."),
    ("summit-ends-without-statement", "Regional summit ends without a joint statement",
     "Delegates disagreed over fishing rights until the final hour.", "world",
     ["harbor-wire"], [], P, 30,
     "A two-day regional summit ended on Sunday without the joint statement its hosts had promised, after "
     "delegations failed to settle a dispute over fishing rights in shared waters."),
    ("tide-gauge-record", "Harbor tide gauge logs its highest reading in 40 years",
     "No flooding was reported, but the margin was a few inches.", "climate",
     ["tomas-ecker"], ["Harbor", "Storms"], P, 36,
     "The tide gauge at the harbor entrance logged its highest reading in four decades on Saturday morning, "
     "coming within a few inches of the level at which the waterfront promenade floods."),
    ("bakery-expands", "A neighborhood bakery bets on a second shop",
     "The owners say the new store will train apprentices from the vocational school.", "business",
     ["lena-okafor"], ["Jobs"], P, 44,
     "A family-run bakery that began as a market stall will open a second shop in the old rail depot this fall, "
     "its owners said, and will train apprentices from the city's vocational high school."),
    ("campaign-finance-filings", "Filings show a late money race in the mayor's contest",
     "Two candidates raised more in three weeks than in the previous three months.", "politics",
     ["marcus-hale"], ["Elections"], P, 52,
     "The two leading candidates for mayor each raised more money in the past three weeks than in the three "
     "months before, according to filings released on Thursday."),
    ("school-boundaries-hearing", "Parents pack hearing on new school boundaries",
     "The board will vote next month; more than 200 people signed up to speak.", "metro",
     ["sam-ibarra"], ["Schools"], P, 60,
     "More than 200 parents signed up to speak at a hearing on redrawing attendance zones for the city's middle "
     "schools, keeping the school board in session past midnight."),
    ("shipyard-contract", "Shipyard wins a contract for four patrol boats",
     "The work will keep the yard busy into the next decade, its managers say.", "world",
     ["priya-raman"], ["Defense", "Jobs"], P, 70,
     "The shipyard on the north shore has won a contract to build four patrol boats, a deal its managers said "
     "would keep the yard's welders and fitters busy into the next decade."),
    ("solar-on-schools", "District plans solar panels on a dozen school roofs",
     "The panels would cover about a third of the district's power bill.", "climate",
     ["tomas-ecker", "sam-ibarra"], ["Energy", "Schools"], P, 80,
     "The school district plans to install solar panels on the roofs of twelve schools over the next two "
     "summers, a project officials say would cover about a third of its electricity bill."),
    ("rents-level-off", "Rents level off after three years of steep increases",
     "Landlords are offering a free month on new leases in some neighborhoods.", "business",
     ["lena-okafor"], ["Housing"], P, 96,
     "Average asking rents in Port Alden were flat in the second quarter for the first time in three years, and "
     "some landlords have begun offering a free month to new tenants."),
    ("recount-requested", "Narrow loser requests a recount in the council race",
     "Fourteen votes separate the candidates after provisional ballots were counted.", "politics",
     ["dana-whitfield"], ["Elections", "City Council"], P, 110,
     "The candidate who trails by fourteen votes in the race for the third council district asked for a recount "
     "on Friday, after election officials finished counting provisional ballots."),
    ("library-hours", "Branch libraries will open on Sundays again",
     "The council restored the money in its final budget amendments.", "metro",
     ["sam-ibarra"], ["Budget"], P, 130,
     "All five branch libraries will reopen on Sundays starting next month, after the council restored the money "
     "for weekend staff in its final round of budget amendments."),
    ("life-on-the-pilot-boat", "Forty years on the pilot boat, in all weather",
     "A retired harbor pilot on fog, freighters and the night the radar failed.", "climate",
     ["ruth-calloway"], ["Harbor"], P, 150,
     "For forty years I climbed a rope ladder onto ships I had never seen before, in fog and in gales, and "
     "guided them through a channel I could draw with my eyes shut."),
    ("wire-election-abroad", "Voters abroad head to the polls in a tight parliamentary race",
     "Polls show no party near a majority.", "world",
     ["harbor-wire"], ["Elections"], P, 170,
     "Voters went to the polls on Sunday in a parliamentary election that surveys suggested would leave no party "
     "close to a majority, setting up weeks of coalition talks."),
    ("courthouse-renovation", "Courthouse renovation runs a year behind",
     "Jury trials will stay in a converted warehouse until next spring.", "metro",
     ["sam-ibarra"], ["Courts", "Budget"], P, 190,
     "The renovation of the county courthouse is running a year behind schedule, and jury trials will stay in a "
     "converted warehouse on the waterfront until at least next spring, court administrators said."),
    ("ethics-panel-hearing", "Ethics panel schedules a hearing on a senator's consulting work",
     "The senator says the work was disclosed and approved.", "politics",
     ["dana-whitfield", "marcus-hale"], ["Courts"], P, 220,
     "The legislature's ethics panel will hold a public hearing next week on consulting work a senator did for a "
     "company with business before his committee. The senator said the work was disclosed and approved."),
    ("grain-prices", "Grain shipments slow as prices fall",
     "Exporters are holding stock in the terminal silos and waiting.", "business",
     ["lena-okafor", "harbor-wire"], ["Harbor"], P, 250,
     "Grain shipments through the port slowed in the past month as falling prices led exporters to hold stock in "
     "the terminal's silos rather than sell."),
    ("heat-advisory", "Heat advisory issued as temperatures near 100",
     "Cooling centers will stay open until 10 p.m.", "climate",
     ["tomas-ecker"], ["Storms"], P, 280,
     "Forecasters issued a heat advisory for the city and its suburbs through Thursday, with temperatures expected "
     "to approach 100 degrees in the afternoon."),
    ("bridge-inspection", "Inspection finds corrosion on the old drawbridge",
     "Trucks over ten tons are barred until repairs are done.", "metro",
     ["sam-ibarra"], ["Transit"], P, 320,
     "A routine inspection found corrosion on two support beams of the old drawbridge, and the city has barred "
     "trucks heavier than ten tons until repairs are finished."),
    ("debate-night-preview", "What to watch for in the first mayoral debate",
     "Housing, the ferry and the budget are expected to dominate.", "politics",
     ["marcus-hale"], ["Elections", "Housing"], P, -48,
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
     ["marcus-hale"], ["Elections"], U, 40,
     "A poll of likely voters shows the two leading candidates for mayor within two points of each other."),
]  # fmt: skip

SECTION_PARAGRAPHS = {
    "politics": [
        "Lawmakers from both parties said privately that the outcome would depend on a handful of members from "
        "suburban districts, several of whom face competitive races in the fall.",
        "Staff members spent the afternoon shuttling between offices with revised spreadsheets, and at least one "
        "meeting ended with a door closing harder than usual.",
    ],
    "metro": [
        "Neighbors who attended said they wanted to see the details before deciding whether the plan would help "
        "or hurt their blocks, and several asked for another meeting in the evening, after work.",
        "City officials said they would publish the full plan online and collect comments for thirty days.",
    ],
    "world": [
        "Officials who spoke on condition of anonymity because they were not authorized to discuss the matter said "
        "the details were still being worked out.",
        "Analysts said the decision reflected pressures that had been building for months.",
    ],
    "business": [
        "Economists cautioned that a single quarter of figures can mislead, and that the trend would be clearer by "
        "the end of the year.",
        "Owners of smaller firms said the change was already visible in their order books.",
    ],
    "climate": [
        "Scientists at the state university said the readings fit a pattern they have tracked for two decades, "
        "though any single season can run against it.",
        "Emergency managers urged residents to check their supplies and to sign up for the city's text alerts.",
    ],
}
QUOTES = [
    "We are not there yet, but we are closer than we were this morning.",
    "People have been asking for this for years. Now we have to make it work.",
    "Nobody wants to be the one who says no at the last minute.",
    "It is the kind of number you notice, and then you check it twice.",
]
IMAGE_CREDIT = "Newsroom demo illustration"

User = get_user_model()


class Command(BaseCommand):
    help = "Create the demo newsroom (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self.seed_users()
            sections = self.seed_sections()
            tags = {name: Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in TAGS}
            authors = self.seed_authors(users)
            images = {slug: self.section_image(slug, color) for slug, _, _, color in SECTIONS}
            created = self.seed_articles(sections, tags, authors, users, images)
        self.report(created)

    def seed_users(self):
        users = {}
        for username, password, group, _ in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            # The printed logins must work even if someone changed a demo password.
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    def seed_sections(self):
        sections = {}
        for slug, name, description, _ in SECTIONS:
            sections[slug] = Section.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )[0]
        return sections

    def seed_authors(self, users):
        authors = {}
        for slug, name, title, bio, username in AUTHORS:
            user = users.get(username)
            author, created = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "title": title, "bio": bio, "user": user}
            )
            if not created and user is not None and author.user_id is None:
                author.user = user
                author.save(update_fields=["user"])
            authors[slug] = author
        return authors

    def seed_articles(self, sections, tags, authors, users, images) -> int:
        anchor = timezone.now().replace(second=0, microsecond=0)
        created = 0
        for index, (slug, headline, dek, section_slug, bylines, tag_names, status, hours, lede) in enumerate(ARTICLES):
            if Article.objects.filter(slug=slug).exists():
                continue
            section = sections[section_slug]
            first_author = authors[bylines[0]]
            published_at = anchor - timedelta(hours=hours) if status in (P, U) else None
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
                lead_image=images[section_slug],
                lead_image_caption=f"{section.name}: an illustration for the demo newsroom.",
                lead_image_credit=IMAGE_CREDIT,
                lead_image_alt=f"An abstract {section.name} illustration in muted colors",
            )
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[author_slug], position=position)
                for position, author_slug in enumerate(bylines)
            )
            article.tags.set([tags[name] for name in tag_names])
            # As if written before publication and left alone since: no "Updated" line on the page.
            Article.objects.filter(pk=article.pk).update(updated_at=published_at or article.created_at)
            created += 1
            self.embellish(article)
        return created

    def embellish(self, article):
        """The demo shows the pieces a day-one newsroom needs: corrections, updates and a moved story."""
        if article.slug == "port-hiring-surge":
            Correction.objects.create(
                article=article,
                text="An earlier version of this article misstated the number of months in which container "
                "volumes rose. It was five, not six.",
                created_at=article.published_at + timedelta(hours=3),
            )
        if article.slug == "storm-season-outlook":
            Correction.objects.create(
                article=article,
                kind=Correction.Kind.UPDATE,
                text="This article was updated with the forecast's range for the number of named storms.",
                created_at=article.published_at + timedelta(hours=2),
            )
            # updated_at is auto_now: set it directly so the page says "Updated" two hours after publication.
            Article.objects.filter(pk=article.pk).update(updated_at=article.published_at + timedelta(hours=2))
        if article.slug == "ferry-pilot-approved":
            # First published under a longer slug, then renamed: the old address answers 301.
            ArticleRedirect.objects.get_or_create(
                old_path=Article.path_for("council-approves-ferry-pilot", article.published_at),
                defaults={"article": article},
            )

    def section_image(self, slug: str, color: tuple[int, int, int]) -> str:
        """A generated lead image per section, written once into MEDIA_ROOT."""
        name = f"demo/{slug}.jpg"
        if default_storage.exists(name):
            return name
        image = Image.new("RGB", (1200, 675), color)
        draw = ImageDraw.Draw(image)
        for step in range(0, 675, 45):
            shade = tuple(min(255, channel + step // 6) for channel in color)
            draw.rectangle([0, step, 1200, step + 45], fill=shade)
        draw.ellipse([760, 140, 1100, 480], outline=(255, 255, 255), width=6)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        default_storage.save(name, ContentFile(buffer.getvalue()))
        return name

    def report(self, created: int):
        counts = {
            "live": Article.objects.published().count(),
            "scheduled": Article.objects.scheduled().count(),
            **{
                label.lower(): Article.objects.filter(status=value).count()
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            },
        }
        self.stdout.write(
            f"Demo newsroom ready: {sum(counts.values())} articles ("
            + ", ".join(f"{count} {label}" for label, count in counts.items())
            + f"), {created} of them new."
        )
        self.stdout.write(f"\nSite:  {settings.SITE_URL}/\nAdmin: {settings.SITE_URL}/admin/\n\nDemo logins:")
        for username, password, group, can in DEMO_USERS:
            self.stdout.write(f"  {group:<10} {username:<10} password: {password:<20} {can}")


def _body(lede: str, section_slug: str, index: int) -> str:
    paragraphs = SECTION_PARAGRAPHS[section_slug]
    parts = [
        f"<p>{escape(lede)}</p>",
        f"<p>{escape(paragraphs[index % 2])}</p>",
        f"<blockquote><p>{escape(QUOTES[index % len(QUOTES)])}</p></blockquote>",
        f"<p>{escape(paragraphs[(index + 1) % 2])}</p>",
    ]
    if index % 5 == 0:
        parts.append(
            "<p>What happens next:</p><ul><li>A public comment period opens this week.</li>"
            "<li>A final decision is expected <em>within a month</em>.</li></ul>"
        )
    return "".join(parts)
