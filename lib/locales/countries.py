"""Writes `<lang>/countries.ftl`: every ISO 3166-1 country's name in each language documents
are written in, from pycountry's translations (pinned below). Run by hand when pycountry's data
changes; the files are kept in the repository, so no build reads pycountry.

    python3 -m venv /tmp/countries && /tmp/countries/bin/pip install pycountry==26.2.16
    /tmp/countries/bin/python lib/locales/countries.py
"""

import gettext
import pathlib

import pycountry

LANGUAGES = ["en", "de", "fr", "nl", "es", "it"]
HERE = pathlib.Path(__file__).parent


def main() -> None:
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    for language in LANGUAGES:
        if language == "en":
            translate = lambda text: text  # noqa: E731
        else:
            catalogue = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
            translate = catalogue.gettext
        lines = [
            "# Country names (ISO 3166-1), written by lib/locales/countries.py from pycountry "
            + pycountry.__version__
            + ": do not edit by hand.",
            "",
        ]
        for country in countries:
            common = getattr(country, "common_name", None)
            # The common name (Bolivia, South Korea, Taiwan) where there is one: where it has
            # no translation of its own it is written the same in these languages.
            name = translate(common) if common else translate(country.name)
            lines.append(f"country-{country.alpha_2} = {name}")
        (HERE / language / "countries.ftl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
