from django.db import migrations

# The built-in emote set: code (typed as :code: in chat), name, image under static/.
# Hand-drawn SVGs (viewBox 0 0 32 32, no script, no external references).
EMOTES = [
    ("heart", "Heart"),
    ("fire", "Fire"),
    ("lol", "LOL"),
    ("gg", "GG"),
    ("clap", "Clap"),
    ("wave", "Wave"),
    ("saudade", "Saudade"),
    ("festa", "Festa"),
    ("futebol", "Futebol"),
    ("carnaval", "Carnaval"),
    ("fado", "Fado"),
    ("namaste", "Namaste"),
    ("dashain", "Dashain"),
    ("tihar", "Tihar"),
    ("tika", "Tika"),
    ("diyo", "Diyo"),
    ("diwali", "Diwali"),
    ("holi", "Holi"),
]


def emote_fields(position: int) -> dict:
    """The seeded fields of EMOTES[position] but the code (also used by the test factories)."""
    code, name = EMOTES[position]
    return {
        "name": name,
        "builtin_image": f"streams/emotes/{code}.svg",
        "position": position * 10,
        "is_active": True,
    }


def seed(apps, schema_editor):
    Emote = apps.get_model("streams", "Emote")
    for position, (code, _name) in enumerate(EMOTES):
        Emote.objects.update_or_create(code=code, channel=None, defaults=emote_fields(position))


def unseed(apps, schema_editor):
    Emote = apps.get_model("streams", "Emote")
    Emote.objects.filter(channel=None, code__in=[code for code, _name in EMOTES]).delete()


class Migration(migrations.Migration):
    dependencies = [("streams", "0004_live_room")]
    operations = [migrations.RunPython(seed, unseed)]
