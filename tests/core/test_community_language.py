"""The community's language: what an admin chooses for the moderators' and admins' texts, kept with the
community's other settings, one of Hearth's own languages or none; what a member reads does not follow it."""

import pytest

from bot.community import LANGUAGES, Community, parse_language
from bot.config import default_prompts_dir
from bot.prompts import load_prompts
from bot.redis_keys import community_key
from tests.helpers import message


def test_the_languages_an_admin_may_choose_are_those_hearth_has_texts_in(make_app):
    app = make_app()
    assert set(app.prompts.by_language) == LANGUAGES == set(app.crisis.phrasebook.by_language)
    assert load_prompts(default_prompts_dir()).named("es") == "Español (es)"


@pytest.mark.parametrize(
    ("typed", "language"), [("es", "es"), (" DE ", "de"), ("pt-BR", "pt"), ("es_419", "es"), ("clear", None)]
)
def test_what_an_admin_types_is_read_as_one_of_hearths_languages(typed, language):
    assert parse_language(typed) == language


@pytest.mark.parametrize("typed", ["klingon", "zz", "", "español", "ja-JP"])
def test_anything_else_is_no_language(typed):
    with pytest.raises(ValueError):
        parse_language(typed)


async def test_the_language_is_kept_with_the_other_settings_and_can_be_unset(make_app):
    app = make_app()
    tenant = app.ids("tenant", "test")
    await app.communities.update(tenant, country="ES", moderator_channel="mods")
    await app.communities.update(tenant, language="es")

    kept = await app.communities.get(tenant)
    assert (kept.language, kept.country, kept.moderator_channel) == ("es", "ES", "mods")
    assert 0 < await app.redis.ttl(community_key(tenant)) <= 90 * 86400

    with pytest.raises(ValueError):
        await app.communities.update(tenant, language="xx")
    assert (await app.communities.get(tenant)).language == "es"
    assert (await app.communities.update(tenant, language=None)).language is None
    assert (await app.communities.get(tenant)).country == "ES"


@pytest.mark.parametrize(
    "stored",
    ['{"country":"ES"}', '{"language":"xx"}', '{"language":["es"]}', '{"language":"ES"}', '{"language":null}'],
)
def test_settings_stored_without_a_language_hearth_has_read_as_none(stored):
    assert Community.from_json(stored).language is None


async def test_a_members_own_replies_and_data_do_not_follow_the_community_language(make_app):
    app = make_app()
    tenant = app.ids("tenant", "test")
    before = (await app.pipeline.handle(message(app, "/mydata", user="bob"))).text
    await app.communities.update(tenant, language="es", moderator_channel="mods")

    help_ = await app.pipeline.handle(message(app, "/help", locale="en-US"))
    mydata = await app.pipeline.handle(message(app, "/mydata", user="bob"))
    assert help_.text.startswith("Here's what I can do") and help_.language == "en"
    assert mydata.text == before, "the community's settings are not anyone's data"
    german = await app.pipeline.handle(message(app, "/help", locale="de", user="carol"))
    assert german.text.startswith("Das kann ich")
