from django.db import migrations

# slug, English, Nepali, Hindi, Portuguese (Brazil), icon, region focus
CATEGORIES = [
    ("just-chatting", "Just Chatting", "गफगाफ", "गपशप", "Só Conversa", "💬", ""),
    ("music", "Music", "संगीत", "संगीत", "Música", "🎵", ""),
    ("dj-sets", "DJ Sets", "डीजे सेट", "डीजे सेट", "DJ Sets", "🎧", ""),
    ("gaming", "Gaming", "गेमिङ", "गेमिंग", "Games", "🎮", ""),
    ("sports-futebol", "Sports & Futebol", "खेलकुद र फुटबल", "खेल और फ़ुटबॉल", "Esportes e Futebol", "⚽", "BR,PT"),
    ("festivals", "Festivals", "चाडपर्व", "त्योहार", "Festas", "🎉", "BR,PT,NP,IN"),
    ("carnival", "Carnival", "कार्निभल", "कार्निवल", "Carnaval", "🎭", "BR,PT"),
    ("festa-junina", "Festa Junina", "फेस्टा जुनिना", "फ़ेस्टा जुनीना", "Festa Junina", "🌽", "BR"),
    ("dashain-tihar", "Dashain & Tihar", "दशैं र तिहार", "दशैं और तिहार", "Dashain e Tihar", "🪔", "NP"),
    ("diwali", "Diwali", "दीपावली", "दिवाली", "Diwali", "✨", "IN,NP"),
    ("education", "Education", "शिक्षा", "शिक्षा", "Educação", "📚", ""),
    ("cooking", "Cooking", "खाना पकाउने", "कुकिंग", "Culinária", "🍳", ""),
    ("travel", "Travel", "यात्रा", "यात्रा", "Viagem", "✈️", ""),
    ("talk-shows", "Talk Shows", "टक शो", "टॉक शो", "Talk Shows", "🎙️", ""),
]


def category_fields(position: int) -> dict:
    """The seeded fields of CATEGORIES[position] (also used by the test factories)."""
    _slug, name, name_ne, name_hi, name_pt_br, icon, region = CATEGORIES[position]
    return {
        "name": name,
        "name_ne": name_ne,
        "name_hi": name_hi,
        "name_pt_br": name_pt_br,
        "icon": icon,
        "position": position * 10,
        "region_focus": region,
    }


def seed(apps, schema_editor):
    StreamCategory = apps.get_model("streams", "StreamCategory")
    for position, row in enumerate(CATEGORIES):
        StreamCategory.objects.update_or_create(slug=row[0], defaults=category_fields(position))


def unseed(apps, schema_editor):
    StreamCategory = apps.get_model("streams", "StreamCategory")
    StreamCategory.objects.filter(slug__in=[row[0] for row in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("streams", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
