"""Crisis lines follow the person's own choice first, then the community's country, then DEFAULT_COUNTRY."""

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


async def test_a_wrong_code_explains_how_to_choose(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country Germany"))
    assert "two-letter code" in reply.text
