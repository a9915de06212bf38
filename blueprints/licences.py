"""The licences a blueprint may carry: a closed list, each with its terms in a sentence,
the licence text's address, and the URI that data portals (DCAT-AP.de) expect.

A closed list and not free text: a portal can only harvest a licence it recognises, and
"free to use in cooperations" (the seed's promise) needs terms anyone can look up.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Licence:
    code: str
    name: str
    url: str
    # The licence vocabulary of DCAT-AP.de (dct:license of a distribution).
    dcat_uri: str
    terms: str


LICENCES = [
    Licence(
        "cc-by-4.0",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/deed.de",
        "http://dcat-ap.de/def/licenses/cc-by/4.0",
        _(
            "You may copy, adapt and share it for any purpose, also commercially, if you "
            "name the author and the licence and say what you changed."
        ),
    ),
    Licence(
        "cc-by-sa-4.0",
        "CC BY-SA 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/deed.de",
        "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
        _(
            "You may copy, adapt and share it for any purpose if you name the author and the "
            "licence, say what you changed, and share your adaptation under the same licence."
        ),
    ),
    Licence(
        "cc0",
        "CC0 1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/deed.de",
        "http://dcat-ap.de/def/licenses/cc-zero",
        _("No conditions: you may use it in any way without naming anyone."),
    ),
    Licence(
        "dl-de-by-2.0",
        "Datenlizenz Deutschland – Namensnennung – 2.0",
        "https://www.govdata.de/dl-de/by-2-0",
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        _(
            "You may use, change and share it for any purpose if you name the provider and "
            "the licence and mark your changes."
        ),
    ),
    Licence(
        "dl-de-zero-2.0",
        "Datenlizenz Deutschland – Zero – 2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
        _("No conditions: you may use it in any way without naming anyone."),
    ),
]

BY_CODE = {licence.code: licence for licence in LICENCES}
CHOICES = [(licence.code, licence.name) for licence in LICENCES]
DEFAULT = "cc-by-4.0"


def get(code):
    return BY_CODE.get(code) or BY_CODE[DEFAULT]
