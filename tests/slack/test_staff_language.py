"""What Hearth writes to a workspace's champions and admins, the alert and `/hearth config`, is in the language an
admin chose with `/hearth config language`, else English (signed requests to the real Bolt app). The person's own
replies keep their language; the alert keeps its contract (a link and a level, or who to reach, never words)."""

from __future__ import annotations

from tests.fakes.slack_server import TEAM
from tests.slack.conftest import ALICE, ALICE_DM, BOB, CHANNEL, command, dm, mention
from tests.slack.helpers import text_of
from tests.slack.test_alerts import CHAMPS, IMMINENT, champions_alert, posts_in


async def configure(http, slack, *settings: str, user: str = ALICE) -> list[str]:
    """`/hearth config …` once per setting, in order; what Hearth answered each time."""
    slack.admins.add(ALICE)
    start = len(slack.responses)
    for number, setting in enumerate(settings, start + 1):
        await http.command(command(f"config {setting}".strip(), slack, user=user))
        await slack.wait_for(lambda n=number: len(slack.responses) >= n)
    return [str(answer["text"]) for answer in slack.responses[start:]]


async def test_a_spanish_workspace_gets_the_alert_in_spanish_and_the_person_keeps_their_language(http, slack, hearth):
    await configure(http, slack, f"moderators <#{CHAMPS}|bienestar>", "language es")

    await http.event(dm(IMMINENT))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    assert champions_alert(slack) == (
        "Hearth: alguien de este espacio de trabajo puede necesitar apoyo (nivel: imminent). Hearth no comparte lo "
        "que escribió. Conversación: un mensaje directo con Hearth, que los responsables de bienestar no pueden "
        f"abrir. Lo mejor es escribir directamente a <@{ALICE}>"
    )
    assert "pills" not in champions_alert(slack), "never their words"
    reply = posts_in(slack, ALICE_DM)[0]
    assert "moderators know" in text_of(reply) and "bienestar" not in text_of(reply), "theirs stays English"


async def test_a_german_workspaces_champions_get_a_link_they_can_open_labelled_in_german(http, slack, hearth):
    await configure(http, slack, f"moderators <#{CHAMPS}|wohl>", "language DE")
    body = mention(IMMINENT)

    await http.event(body)

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    link = f"https://hearth-test.slack.com/archives/{CHANNEL}/p{body['event']['ts'].replace('.', '')}"
    assert champions_alert(slack).startswith("Hearth: Jemand in diesem Workspace braucht vielleicht Unterstützung")
    assert "(Stufe: imminent)" in champions_alert(slack)
    assert champions_alert(slack).endswith(f"Unterhaltung: <{link}|in Slack öffnen>")


async def test_with_no_language_set_the_champions_alert_is_english(http, slack, hearth):
    await configure(http, slack, f"moderators <#{CHAMPS}|champions>")
    slack.locales[ALICE] = "es-ES"  # a person's Slack language is theirs, not the champions'

    await http.command(command(IMMINENT, slack))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    assert champions_alert(slack).startswith("Hearth: someone in this workspace may need support (level: imminent).")
    assert f"no link champions can open (it was only visible to them). Please reach out to <@{ALICE}> yourself" in (
        champions_alert(slack)
    )


async def test_an_admin_sets_the_language_sees_it_kept_and_clears_it(http, slack, hearth):
    saved, shown, usage, cleared = await configure(http, slack, "language fr", "", "colour blue", "language clear")

    assert saved.splitlines() == [
        "Enregistré.",
        "Pays des lignes d'écoute : non défini (le réglage par défaut du bot s'applique)",
        "Langue des alertes et des réglages : Français (fr)",
        "Canal des référents bien-être : non défini",
        "Canaux où Hearth répond à chaque message : aucun (mentions et messages privés seulement)",
    ]
    assert shown == saved.removeprefix("Enregistré.\n"), "the setting is kept, and shown"
    assert usage.startswith("Réglages de l'espace de travail (admins uniquement) :")
    assert "`/hearth config language fr`" in usage
    assert cleared.splitlines()[:3] == [
        "Saved.",
        "Country for crisis lines: not set (the bot default is used)",
        "Language of alerts and settings: not set (English (en))",
    ]
    assert (await hearth.communities.get(hearth.ids("tenant", "slack", TEAM))).language is None


async def test_a_language_hearth_does_not_write_in_is_refused_in_the_workspaces_language(http, slack, hearth):
    _, refused = await configure(http, slack, "language it", "language <!channel>klingon")
    denied = (await configure(http, slack, "language de", user=BOB))[0]

    assert refused == (
        "&lt;!channel&gt;kl non è una lingua in cui Hearth scrive. Scegline una tra de, en, es, fr, it, nl, pl, pt, "
        "oppure `clear` per toglierla. Non è stato cambiato nulla."
    ), "what was typed is shown as written, and pings nobody"
    assert denied.startswith("Solo gli amministratori e i proprietari del workspace possono")
    assert (await hearth.communities.get(hearth.ids("tenant", "slack", TEAM))).language == "it"
