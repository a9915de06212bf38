"""The core of the demo world: organisations, people and their roles.

Other apps add to the world in a `demo.py` module of their own with a function
`build(world)`; seed_demo finds them (autodiscover) and runs them after this one, in the
order of INSTALLED_APPS. Every step must be idempotent: a second run changes nothing.
"""

from django.conf import settings

from pioneer.models import Organisation, Role, User

ORGANISATIONS = [
    # key, name, short name, kind, parent key, city
    (
        "mluk",
        "Ministerium für Landwirtschaft, Umwelt und Klimaschutz",
        "MLUK",
        "ministry",
        None,
        "Potsdam",
    ),
    ("mik", "Ministerium des Innern und für Kommunales", "MIK", "ministry", None, "Potsdam"),
    ("lfu", "Landesamt für Umwelt", "LfU", "authority", "mluk", "Potsdam"),
    ("partner", "Partner Digital GmbH", "Partner Digital", "company", None, "Berlin"),
    ("gemeinwohl", "Gemeinwohl Lab e. V.", "Gemeinwohl Lab", "nonprofit", None, "Cottbus"),
    (
        "digitalagentur",
        "DigitalAgentur Brandenburg GmbH",
        "DigitalAgentur",
        "company",
        None,
        "Potsdam",
    ),
]

PEOPLE = [
    # email, name, language, [(role, organisation key or None)]
    ("office@mluk.example", "Olga Office", "de", [("office", "mluk")]),
    ("anna@mluk.example", "Anna Albrecht", "de", [("participant", None)]),
    ("ben@partner.example", "Ben Brandt", "en", [("participant", None)]),
    ("clara@mluk.example", "Clara Conrad", "de", [("participant", None)]),
    ("contact@partner.example", "Paula Partner", "de", [("partner", "partner")]),
    ("evaluator@mluk.example", "Eva Evaluatorin", "de", [("evaluator", None)]),
    ("office@mik.example", "Max Mik", "de", [("office", "mik")]),
]


# The logins the README's table lists, in its order, with what each is for: seed_demo
# prints them (a test keeps this list and the README's table equal).
README_LOGINS = [
    ("office@mluk.example", "programme office of the organising ministry (MLUK)"),
    ("anna@mluk.example", "participant, administration side"),
    (
        "ben@partner.example",
        "participant, external side, Anna's tandem partner (prefers English)",
    ),
    ("clara@mluk.example", "participant in another tandem"),
    (
        "contact@partner.example",
        "partner contact of Partner Digital GmbH, the company Ben works for",
    ),
    ("evaluator@mluk.example", "evaluator"),
    (
        "office@mik.example",
        "programme office of another ministry (MIK), which runs nothing of MLUK's",
    ),
    ("admin@pioneer.example", "superuser (Django admin at /admin/)"),
]


class World(dict):
    """What the steps built, by key: world["org:mluk"], world["user:anna@mluk.example"]."""


def build(world):
    for key, name, short, kind, parent_key, city in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={
                "short_name": short,
                "parent": world.get(f"org:{parent_key}") if parent_key else None,
                "city": city,
            },
        )
        world[f"org:{key}"] = org
    password = settings.DEMO_PASSWORD
    for email, name, language, roles in PEOPLE:
        world[f"user:{email}"] = person(email, name, language, password)
        for kind, org_key in roles:
            Role.objects.get_or_create(
                user=world[f"user:{email}"],
                kind=kind,
                organisation=world.get(f"org:{org_key}") if org_key else None,
            )
    admin = User.objects.filter(email="admin@pioneer.example").first()
    if admin is None:
        admin = User.objects.create_superuser(
            "admin@pioneer.example", password, name="Ada Admin", language="de"
        )
    else:
        _keep_password(admin, password)
    _verify(admin)
    world["user:admin@pioneer.example"] = admin
    return world


def person(email, name, language, password):
    """A demo login (created once; its password kept equal to `password`). Apps' demo
    modules use this for the people they add, so every demo login works alike."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=name, language=language)
    else:
        _keep_password(user, password)
    _verify(user)
    return user


def _keep_password(user, password):
    """Every demo login works with the demo password (DEMO_PASSWORD may have changed
    since the last run); an unchanged password is not touched, so a second run changes
    nothing, not even the hash's salt."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])


def _verify(user):
    """Demo people have confirmed their address already (allauth asks otherwise)."""
    from allauth.account.models import EmailAddress

    address, created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if not created and not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
