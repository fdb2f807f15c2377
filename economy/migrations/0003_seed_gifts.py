from django.db import migrations

# slug, English, Nepali, Hindi, Portuguese (Brazil), icon, price in coins, tier,
# animation, countries (empty: everywhere)
GIFTS = [
    ("rose", "Rose", "गुलाफ", "गुलाब", "Rosa", "🌹", 1, "small", "float", ""),
    ("heart", "Heart", "मुटु", "दिल", "Coração", "💖", 5, "small", "bounce", ""),
    ("tea", "Cup of Tea", "एक कप चिया", "एक कप चाय", "Xícara de Chá", "🍵", 5, "small", "float", "NP,IN"),
    ("coffee", "Coffee", "कफी", "कॉफ़ी", "Cafezinho", "☕", 10, "small", "float", ""),
    ("clap", "Applause", "ताली", "तालियाँ", "Aplausos", "👏", 10, "small", "bounce", ""),
    ("mic", "Golden Mic", "सुनौलो माइक", "सुनहरा माइक", "Microfone de Ouro", "🎤", 30, "medium", "spin", ""),
    ("headphones", "DJ Headphones", "डीजे हेडफोन", "डीजे हेडफ़ोन", "Fones de DJ", "🎧", 50, "medium", "spin", ""),
    ("football", "Football", "फुटबल", "फ़ुटबॉल", "Bola de Futebol", "⚽", 50, "medium", "bounce", ""),
    ("guitar", "Guitar", "गिटार", "गिटार", "Violão", "🎸", 80, "medium", "bounce", ""),
    ("diya", "Diya", "दियो", "दीया", "Diya", "🪔", 100, "medium", "burst", "NP,IN"),
    ("samba-drum", "Samba Drum", "साम्बा ड्रम", "साम्बा ड्रम", "Tamborim de Samba", "🥁", 100, "medium", "bounce", "BR,PT"),
    ("trophy", "Trophy", "ट्रफी", "ट्रॉफी", "Troféu", "🏆", 200, "medium", "burst", ""),
    ("golden-boot", "Golden Boot", "सुनौलो जुत्ता", "गोल्डन बूट", "Chuteira de Ouro", "👟", 300, "large", "spotlight", ""),
    ("vinyl", "Vinyl Drop", "भाइनल ड्रप", "विनाइल ड्रॉप", "Disco de Vinil", "💿", 500, "large", "spin", ""),
    ("fireworks", "Fireworks", "आतिशबाजी", "आतिशबाज़ी", "Fogos de Artifício", "🎆", 1000, "large", "fireworks", ""),
    ("kite", "Dashain Kite", "दशैंको चंगा", "दशैं की पतंग", "Pipa de Dashain", "🪁", 500, "large", "rain", "NP"),
    ("carnival-mask", "Carnival Mask", "कार्निभल मुखौटा", "कार्निवल मुखौटा", "Máscara de Carnaval", "🎭", 800, "large", "rain", "BR,PT"),
    ("rangoli", "Rangoli Blossom", "रङ्गोली", "रंगोली", "Rangoli", "🌸", 800, "large", "rain", "IN,NP"),
    ("rocket", "Rocket", "रकेट", "रॉकेट", "Foguete", "🚀", 2000, "legendary", "fireworks", ""),
    ("crown", "Crown", "मुकुट", "ताज", "Coroa", "👑", 5000, "legendary", "spotlight", ""),
    ("castle", "Castle", "दरबार", "महल", "Castelo", "🏰", 10000, "legendary", "fireworks", ""),
]


def gift_fields(position: int) -> dict:
    """The seeded fields of GIFTS[position] (also used by the test factories)."""
    _slug, name, name_ne, name_hi, name_pt_br, icon, price, tier, animation, countries = GIFTS[
        position
    ]
    return {
        "name": name,
        "name_ne": name_ne,
        "name_hi": name_hi,
        "name_pt_br": name_pt_br,
        "icon": icon,
        "price_coins": price,
        "tier": tier,
        "animation": animation,
        "available_countries": countries,
        "position": position * 10,
    }


def seed(apps, schema_editor):
    Gift = apps.get_model("economy", "Gift")
    for position, row in enumerate(GIFTS):
        Gift.objects.update_or_create(slug=row[0], defaults=gift_fields(position))


def unseed(apps, schema_editor):
    Gift = apps.get_model("economy", "Gift")
    Gift.objects.filter(slug__in=[row[0] for row in GIFTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("economy", "0002_gifts_payments")]
    operations = [migrations.RunPython(seed, unseed)]
