"""Crisis lines follow the person's own choice first, then the community's country, then DEFAULT_COUNTRY."""

import shutil

import pytest

from bot.config import default_prompts_dir
from bot.countries import CountryDataError, load_countries
from bot.prompts import PromptError
from tests.adapters.test_console import run_bot
from tests.helpers import message

CRISIS = "I want to kill myself"


async def test_a_persons_chosen_country_beats_the_communitys(make_app):
    app = make_app(default_country="US")
    await app.communities.update(app.ids("tenant", "test"), country="GB")
    assert "116 123" in (await app.pipeline.handle(message(app, CRISIS))).text  # the community's: Samaritans
    chosen = await app.pipeline.handle(message(app, "/country de"))
    assert "0800 111 0 111" in chosen.text and chosen.private
    assert "0800 111 0 111" in (await app.pipeline.handle(message(app, CRISIS))).text
    await app.pipeline.handle(message(app, "/country clear"))
    assert "116 123" in (await app.pipeline.handle(message(app, CRISIS))).text


async def test_without_any_country_the_lines_fall_back_to_findahelpline(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, CRISIS))
    assert "findahelpline.com" in reply.text


async def test_the_chosen_country_is_listed_by_mydata_and_erased_by_forget(make_app):
    app = make_app()
    await app.pipeline.handle(message(app, "/country FR"))
    assert "country you chose" in (await app.pipeline.handle(message(app, "/mydata"))).text
    await app.pipeline.handle(message(app, "/forget"))
    assert "3114" not in (await app.pipeline.handle(message(app, CRISIS))).text


async def test_a_name_hearth_does_not_know_is_refused_with_an_example(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country Narnia"))
    assert 'I don\'t know a country called "Narnia"' in reply.text
    assert "/country Germany or\n/country DE" in reply.text and "two-letter code" in reply.text


async def test_an_unknown_name_is_not_shown_back_as_the_chosen_country(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country atlantis"))
    assert "don't know a country called" in reply.text and "Your chosen country: not set" in reply.text
    assert "ATLANTIS" not in reply.text and "Nothing was changed" in reply.text


@pytest.mark.parametrize(
    ("typed", "code", "line"),
    [
        ("united kingdom", "GB", "116 123"),
        ("England", "GB", "116 123"),
        ("  Great   Britain ", "GB", "116 123"),
        ("españa", "ES", "024"),
        ("ESPANA", "ES", "024"),
        ("Deutschland", "DE", "0800 111 0 111"),
        ("états-unis", "US", "988"),
        ("Etats Unis", "US", "988"),
        ("EE. UU.", "US", "988"),
        ("U.S.A.", "US", "988"),
        ("the Netherlands", "NL", "0800-0113"),
        ("Reino Unido", "GB", "116 123"),
        ("Vereinigtes Königreich", "GB", "116 123"),
        ("Brasil", "BR", "188"),
        ("Nouvelle-Zélande", "NZ", "1737"),
        ("Korea (South)", "KR", "109"),  # the English name as prompts/countries.txt has it
    ],
)
async def test_a_country_can_be_chosen_by_its_name_in_any_of_hearths_languages(make_app, typed, code, line):
    app = make_app()
    chosen = await app.pipeline.handle(message(app, f"/country {typed}"))
    assert chosen.kind == "country" and line in chosen.text and "don't know a country" not in chosen.text
    crisis = await app.pipeline.handle(message(app, CRISIS))
    assert line in crisis.text
    assert f"Your chosen country: {code}" in (await app.pipeline.handle(message(app, "/country"))).text


async def test_resources_takes_a_name_too(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "/resources Deutschland"))
    assert "0800 111 0 111" in reply.text and "don't know a country" not in reply.text
    greece = await app.pipeline.handle(message(app, "/resources Grèce"))  # GR: no lines of Hearth's own yet
    assert "don't have crisis lines of my own for GR" in greece.text


async def test_an_unknown_name_is_refused_in_the_persons_language_with_an_example_in_it(make_app):
    app = make_app()
    await app.pipeline.handle(message(app, "hola, hoy estoy un poco triste"))  # the conversation is in Spanish
    reply = await app.pipeline.handle(message(app, "/country Narnia"))
    assert "No conozco ningún país llamado «Narnia»" in reply.text and "/country España o /country ES" in reply.text
    assert "No he cambiado nada" in reply.text


async def test_a_country_without_lines_of_its_own_says_so_instead_of_claiming_its_lines(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country GR"))
    assert "I'll use GR" in reply.text and "findahelpline.com" in reply.text
    assert "don't have crisis lines of my own for GR" in reply.text and "crisis lines for GR" not in reply.text


async def test_two_letters_that_are_no_country_are_refused_and_the_earlier_choice_kept(make_app):
    app = make_app()
    await app.pipeline.handle(message(app, "/country de"))
    reply = await app.pipeline.handle(message(app, "/country zz"))
    assert "ZZ is not a country code" in reply.text and "/country DE" in reply.text
    assert "Nothing was changed" in reply.text and "Your chosen country: DE" in reply.text
    assert "I'll use ZZ" not in reply.text and "findahelpline" not in reply.text
    assert "0800 111 0 111" in (await app.pipeline.handle(message(app, CRISIS))).text


async def test_the_aliases_of_the_crisis_directory_are_accepted(make_app):
    app = make_app()
    assert "116 123" in (await app.pipeline.handle(message(app, "/country uk"))).text  # UK is GB
    greece = await app.pipeline.handle(message(app, "/resources el"))  # EL is GR, which has no lines here yet
    assert "of my own for EL" in greece.text and "not a country code" not in greece.text


async def test_clearing_the_choice_shows_the_communitys_lines_the_next_crisis_reply_will_use(make_app):
    app = make_app(default_country="US")
    await app.communities.update(app.ids("tenant", "test"), country="GB")
    await app.pipeline.handle(message(app, "/country de"))
    cleared = await app.pipeline.handle(message(app, "/country clear"))
    assert "116 123" in cleared.text and "988" not in cleared.text
    assert "the default from now on" not in cleared.text


@pytest.mark.parametrize(
    ("code", "said", "not_said"),
    [("narnia", "don't know a country called", "NARNIA"), ("zz", "ZZ is not a country code", "of my own for ZZ")],
)
async def test_resources_with_a_wrong_code_says_so_and_whose_lines_it_shows(make_app, code, said, not_said):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, f"/resources {code}"))
    assert said in reply.text and "Crisis lines shown to you now: GB" in reply.text
    assert "116 123" in reply.text and not_said not in reply.text


async def test_resources_for_a_country_without_lines_of_its_own_says_so(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "/resources gr"))
    assert "don't have crisis lines of my own for GR" in reply.text and "findahelpline.com" in reply.text
    plain = await app.pipeline.handle(message(app, "/resources de"))
    assert "0800 111 0 111" in plain.text and "don't know a country" not in plain.text and "of my own" not in plain.text


async def test_a_default_country_that_is_no_country_is_a_start_up_error_naming_the_setting(tmp_path):
    code, out, err = await run_bot("hello\n", cwd=tmp_path, DEFAULT_COUNTRY="zz")
    assert code == 2 and out == ""
    assert "DEFAULT_COUNTRY: ZZ is not an ISO 3166-1 country code" in err and "Traceback" not in err
    code, out, err = await run_bot("/resources\n", cwd=tmp_path, DEFAULT_COUNTRY="UK")  # an alias is a country
    assert code == 0 and "116 123" in out, err


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda text: text.replace("IT\tItaly", "IT Italy"), "line .*: expected a two-letter code, a tab, a name"),
        (lambda text: text + "DE\tGermany again\n", "DE is listed twice"),
        (lambda text: text.replace("GB\t", "XG\t"), "lacks GB, which an alias points to"),
        (lambda text: "# nothing\n", "lists no countries"),
    ],
)
def test_a_malformed_country_list_is_a_start_up_error_naming_it(tmp_path, damage, expected):
    path = tmp_path / "countries.txt"
    path.write_text(damage((default_prompts_dir() / "countries.txt").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CountryDataError, match=expected) as caught:
        load_countries(path, {"UK": "GB"})
    assert str(path) in str(caught.value) and isinstance(caught.value, PromptError)  # one line from `python -m bot`


def test_the_shipped_country_list_has_every_country_and_no_made_up_code():
    countries = load_countries(default_prompts_dir() / "countries.txt", {"UK": "GB"})
    assert len(countries.names) >= 249 and countries.names["IT"] == "Italy"
    assert all(countries.known(code) for code in ("it", " de ", "UK", "GB", "KR", "PS"))
    assert not any(countries.known(code) for code in ("ZZ", "XX", "EU", "", None))


@pytest.mark.parametrize("command", ["/country GB", "/resources GB"])
async def test_choosing_a_country_after_immediate_danger_still_puts_the_emergency_number_first(make_app, command):
    # Someone who has just taken their pills and then picks their country must read "call 999" first, worded for
    # what they took, as the crisis reply and the "Show crisis lines" button put it, not last and for suicide.
    app = make_app()
    assert (await app.pipeline.handle(message(app, "I took all my pills an hour ago"))).kind == "crisis"
    reply = await app.pipeline.handle(message(app, command))
    assert reply.text.index("999") < reply.text.index("116 123")
    assert "If you have taken something or are hurt" in reply.text


def test_every_language_hearth_writes_in_has_its_country_names():
    names = {path.stem for path in (default_prompts_dir() / "country_names").glob("*.yaml")}
    assert names == {path.stem for path in (default_prompts_dir() / "messages").glob("*.yaml")}


def test_a_name_listed_for_two_countries_is_a_start_up_error_naming_both_files(tmp_path):
    folder = tmp_path / "country_names"
    shutil.copytree(default_prompts_dir() / "country_names", folder)
    with (folder / "it.yaml").open("a", encoding="utf-8") as extra:
        extra.write("AT: [Germania]\n")  # Germany in Italian, listed for Austria
    with pytest.raises(CountryDataError, match="'germania' is AT here but DE") as caught:
        load_countries(default_prompts_dir() / "countries.txt", {"UK": "GB"}, folder)
    assert str(folder / "it.yaml") in str(caught.value)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ZZ: [Zedland]", "'ZZ' is not a code"),
        ("false: [Norge]", "quote"),
        ("FR: []", "FR must list its names"),
        ("FR: [' - ']", "no word"),
    ],
)
def test_a_malformed_country_names_file_is_a_start_up_error_naming_it(tmp_path, line, expected):
    folder = tmp_path / "country_names"
    shutil.copytree(default_prompts_dir() / "country_names", folder)
    with (folder / "fr.yaml").open("a", encoding="utf-8") as extra:
        extra.write(line + "\n")
    with pytest.raises(CountryDataError, match=expected) as caught:
        load_countries(default_prompts_dir() / "countries.txt", {"UK": "GB"}, folder)
    assert str(folder / "fr.yaml") in str(caught.value)
