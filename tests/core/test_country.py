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


async def test_a_wrong_code_is_not_shown_back_as_the_chosen_country(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country united kingdom"))
    assert "didn't recognise" in reply.text and "Your chosen country: not set" in reply.text
    assert "UNITED" not in reply.text


async def test_a_code_without_lines_of_its_own_says_so_instead_of_claiming_its_lines(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/country XX"))
    assert "don't have crisis lines of my own for XX" in reply.text and "findahelpline.com" in reply.text
    assert "crisis lines for XX" not in reply.text


async def test_clearing_the_choice_shows_the_communitys_lines_the_next_crisis_reply_will_use(make_app):
    app = make_app(default_country="US")
    await app.communities.update(app.ids("tenant", "test"), country="GB")
    await app.pipeline.handle(message(app, "/country de"))
    cleared = await app.pipeline.handle(message(app, "/country clear"))
    assert "116 123" in cleared.text and "988" not in cleared.text
    assert "the default from now on" not in cleared.text


async def test_resources_with_a_wrong_code_says_so_and_whose_lines_it_shows(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "/resources united states"))
    assert "didn't recognise" in reply.text and "Crisis lines shown to you now: GB" in reply.text
    assert "116 123" in reply.text and "UNITED" not in reply.text


async def test_resources_for_a_code_without_lines_of_its_own_says_so(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "/resources zz"))
    assert "don't have crisis lines of my own for ZZ" in reply.text and "findahelpline.com" in reply.text
    plain = await app.pipeline.handle(message(app, "/resources de"))
    assert "0800 111 0 111" in plain.text and "didn't recognise" not in plain.text and "of my own" not in plain.text
