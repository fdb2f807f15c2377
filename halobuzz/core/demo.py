"""Demo data for `make run`: an admin, creators, viewers and follows. Idempotent."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from economy.services import rewards
from halobuzz.users import services as user_services
from halobuzz.users.mfa import ensure_totp
from halobuzz.users.models import User
from streams.models import StreamCategory
from streams.services import lifecycle as stream_lifecycle
from streams.services import room_moderation

DEMO_ADMIN_PASSWORD = "halobuzz-admin-2026"  # noqa: S105 (printed demo login; DEBUG only)
DEMO_USER_PASSWORD = "halobuzz-demo-2026"  # noqa: S105 (printed demo login; DEBUG only)
DEMO_WELCOME_COINS = 500


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    country: str
    language: str
    currency: str
    time_zone: str
    bio: str
    is_creator: bool = False


CREATORS = [
    DemoPerson(
        "aasha_sings",
        "Aasha Gurung",
        "NP",
        "ne",
        "NPR",
        "Asia/Kathmandu",
        "Folk and pop covers from Pokhara. Live most evenings at 8.",
        True,
    ),
    DemoPerson(
        "rohan_plays",
        "Rohan Mehta",
        "IN",
        "hi",
        "INR",
        "Asia/Kolkata",
        "Competitive shooters, chill late-night runs and viewer games.",
        True,
    ),
    DemoPerson(
        "dj_lucas",
        "Lucas Almeida",
        "BR",
        "pt-br",
        "BRL",
        "America/Sao_Paulo",
        "DJ sets from São Paulo: funk, samba-house and festival nights.",
        True,
    ),
]
VIEWERS = [
    DemoPerson("maya", "Maya Shrestha", "NP", "ne", "NPR", "Asia/Kathmandu", "Here for the music."),
    DemoPerson(
        "arjun",
        "Arjun Patel",
        "IN",
        "hi",
        "INR",
        "Asia/Kolkata",
        "Gamer, cricket fan, chat regular.",
    ),
    DemoPerson(
        "beatriz",
        "Beatriz Costa",
        "BR",
        "pt-br",
        "BRL",
        "America/Sao_Paulo",
        "Never misses a DJ set.",
    ),
    DemoPerson("sam", "Sam Carter", "GB", "en", "GBP", "Europe/London", "Lurker turned chatter."),
    DemoPerson(
        "nisha",
        "Nisha Thapa",
        "NP",
        "en",
        "NPR",
        "Asia/Kathmandu",
        "Cooking streams and festival vlogs.",
    ),
]
# Who follows whom, by username.
FOLLOWS = {
    "maya": ["aasha_sings", "dj_lucas"],
    "arjun": ["rohan_plays", "aasha_sings"],
    "beatriz": ["dj_lucas", "aasha_sings", "rohan_plays"],
    "sam": ["rohan_plays", "dj_lucas"],
    "nisha": ["aasha_sings"],
    "dj_lucas": ["aasha_sings"],
    "aasha_sings": ["dj_lucas"],
}
# Chat moderators each creator has appointed, by username.
CHANNEL_MODERATORS = {"aasha_sings": ["maya"], "dj_lucas": ["beatriz"]}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    email: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoSeedResult:
    logins: list[DemoLogin]
    admin_totp_secret: str


@transaction.atomic
def seed_demo() -> DemoSeedResult:
    logins = []
    admin = _ensure_user(
        username="admin",
        email="admin@halobuzz.localhost",
        password=DEMO_ADMIN_PASSWORD,
        display_name="HaloBuzz Admin",
        is_staff=True,
        is_superuser=True,
    )
    admin_secret = ensure_totp(user=admin)
    logins.append(DemoLogin(admin.username, admin.email, DEMO_ADMIN_PASSWORD, "admin"))

    seeded = {}
    for person in [*CREATORS, *VIEWERS]:
        user = _ensure_user(
            username=person.username,
            email=f"{person.username}@halobuzz.localhost",
            password=DEMO_USER_PASSWORD,
            display_name=person.display_name,
            is_creator=person.is_creator,
        )
        seeded[user.username] = user
        if not user.bio:
            user_services.update_profile(
                user=user,
                bio=person.bio,
                country=person.country,
                preferred_language=person.language,
                preferred_currency=person.currency,
                time_zone=person.time_zone,
            )
        if not user.avatar:
            user_services.update_profile(user=user, avatar_upload=_initials_avatar(person))
        role = "creator" if person.is_creator else "viewer"
        logins.append(DemoLogin(user.username, user.email, DEMO_USER_PASSWORD, role))

    for follower, followees in FOLLOWS.items():
        for followee in followees:
            user_services.follow_user(follower=seeded[follower], followee=seeded[followee])
    for channel, moderators in CHANNEL_MODERATORS.items():
        for moderator in moderators:
            if not seeded[channel].channel_moderators.filter(moderator=seeded[moderator]).exists():
                room_moderation.appoint_moderator(channel=seeded[channel], username=moderator)
    for person in VIEWERS:
        # Once per viewer however often the demo is seeded (the key repeats).
        rewards.grant_coins(
            user=seeded[person.username],
            coins=DEMO_WELCOME_COINS,
            reason="Demo welcome coins",
            idempotency_key=f"demo-welcome:{person.username}",
        )
    _schedule_demo_streams(seeded)
    return DemoSeedResult(logins=logins, admin_totp_secret=admin_secret)


# Upcoming streams so "Upcoming" and reminders have something to show; nothing is
# seeded as live, because a live stream needs a real camera or encoder behind it.
DEMO_SCHEDULE = [
    ("aasha_sings", "Sunday acoustic requests", "music", "ne", ["acoustic", "requests"], 26),
    ("dj_lucas", "Baile warm-up set", "dj-sets", "pt", ["funk", "baile"], 50),
    ("rohan_plays", "Ranked grind with viewers", "gaming", "hi", ["ranked", "chill"], 74),
]


def _schedule_demo_streams(seeded: dict) -> None:
    for username, title, category_slug, language, tags, hours_ahead in DEMO_SCHEDULE:
        host = seeded[username]
        upcoming = host.streams.filter(title=title, scheduled_start__gt=timezone.now())
        if upcoming.exists():
            continue
        stream_lifecycle.create_stream(
            host=host,
            title=title,
            category=StreamCategory.objects.filter(slug=category_slug).first(),
            language=language,
            tags=tags,
            scheduled_start=timezone.now() + timedelta(hours=hours_ahead),
        )


def _ensure_user(
    *, username, email, password, display_name, is_staff=False, is_superuser=False, is_creator=False
):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=email,
            display_name=display_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
            is_creator=is_creator,
        )
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _initials_avatar(person: DemoPerson) -> ContentFile:
    """A coloured square with the person's initials, as a PNG upload."""
    digest = hashlib.sha256(person.username.encode()).digest()
    background = (60 + digest[0] % 160, 40 + digest[1] % 120, 90 + digest[2] % 150)
    image = Image.new("RGB", (256, 256), background)
    draw = ImageDraw.Draw(image)
    initials = "".join(part[0] for part in person.display_name.split()[:2]).upper()
    font = ImageFont.load_default(size=110)
    draw.text((128, 128), initials, fill=(255, 255, 255), font=font, anchor="mm")
    output = BytesIO()
    image.save(output, format="PNG")
    return ContentFile(output.getvalue(), name=f"{person.username}.png")
