"""Discord's command picker describes Hearth's slash commands and their options in the Discord client's language:
the command list real discord.py syncs to the stand-in carries English descriptions and, for each Discord locale
Hearth has texts in, the translation from prompts/messages/<language>.yaml. Names stay English."""

from __future__ import annotations

import re
import shutil

import pytest

from adapters.discord.client import HearthClient
from bot.config import default_prompts_dir
from bot.prompts import PromptError, load_prompts

# Discord's locales for Hearth's languages (es-419 is Latin American Spanish).
LOCALES = {"es-ES": "es", "es-419": "es", "fr": "fr", "de": "de", "pt-BR": "pt", "it": "it", "nl": "nl", "pl": "pl"}


@pytest.fixture
def prompts_copy(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder)
    return folder


async def synced_commands(start_bot, discord_server):
    await start_bot()
    synced = discord_server.calls_to("PUT", "/commands")
    assert len(synced) == 1
    return {command["name"]: command for command in synced[0].body}


async def test_every_command_and_option_is_described_in_english_and_in_each_discord_locale(start_bot, discord_server):
    commands = await synced_commands(start_bot, discord_server)
    prompts = load_prompts(default_prompts_dir())

    for name, command in commands.items():
        assert command["description"] == prompts().commands[f"{name}.description"]
        assert command["description_localizations"] == {
            locale: prompts(language).commands[f"{name}.description"] for locale, language in LOCALES.items()
        }
        assert command["description"] not in command["description_localizations"].values()  # all translated
        assert not command["name_localizations"]  # people type the English names
        for option in command.get("options", []):
            key = f"{name}.options.{option['name']}"
            assert option["description"] == prompts().commands[key]
            assert option["description_localizations"] == {
                locale: prompts(language).commands[key] for locale, language in LOCALES.items()
            }
            assert option["description"] not in option["description_localizations"].values()
            assert "name_localizations" not in option


async def test_the_picker_reads_the_translations_from_the_message_files(start_bot, discord_server):
    commands = await synced_commands(start_bot, discord_server)
    help_ = commands["help"]["description_localizations"]
    resources = commands["resources"]
    config_options = {option["name"]: option for option in commands["hearth-config"]["options"]}

    assert commands["help"]["description"] == "Everything Hearth can do"
    assert help_["es-ES"] == help_["es-419"] == "Todo lo que Hearth puede hacer"
    assert help_["fr"] == "Tout ce que Hearth sait faire" and help_["de"] == "Alles, was Hearth kann"
    assert help_["pt-BR"] == "Tudo o que o Hearth pode fazer" and help_["it"] == "Tutto quello che Hearth sa fare"
    assert help_["nl"] == "Alles wat Hearth kan" and help_["pl"] == "Wszystko, co potrafi Hearth"
    assert "en-US" not in help_ and "en-GB" not in help_ and "ja" not in help_  # Discord shows the English
    assert resources["options"][0]["name"] == "country"
    assert resources["options"][0]["description_localizations"]["pt-BR"].startswith("O nome de um país")
    assert config_options["alert_role"]["description_localizations"]["de"].startswith("Die Moderationsrolle")
    assert commands["hearth-config"]["description_localizations"]["fr"].endswith("(Gérer le serveur)")


@pytest.mark.parametrize(
    ("language", "key"),
    [("de", "breathe.description"), ("pl", "hearth-config.options.alert_channel"), ("en", "checkin.options.mood")],
)
def test_a_picker_text_over_discords_100_characters_stops_loading_naming_the_file_and_the_key(
    prompts_copy, language, key
):
    path = prompts_copy / "messages" / f"{language}.yaml"
    command, *rest = key.split(".")
    field = rest[-1]
    text = path.read_text()
    at = text.index(f"\n  {command}:\n")
    line = re.compile(rf"^(\s+{re.escape(field)}: ).*$", re.M).search(text, at)
    assert line is not None
    path.write_text(text[: line.start()] + line.group(1) + "x" * 101 + text[line.end() :])

    with pytest.raises(PromptError, match=rf"'commands\.{re.escape(key)}' is 101 characters long") as caught:
        load_prompts(prompts_copy)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("    description: Un ejercicio de respiración", "    descripcion: Un ejercicio de respiración",
         r"es\.yaml: key\(s\) commands\.breathe\.descripcion are not in English"),
        ("      mood: Ton humeur", "      humeur: Ton humeur",
         r"fr\.yaml: key\(s\) commands\.checkin\.options\.humeur"),
        ("    description: Eine einminütige Atemübung", '    description: ""',
         r"de\.yaml: 'commands\.breathe\.description' is missing or empty"),
    ],
)  # fmt: skip
def test_a_wrong_or_empty_picker_text_stops_loading_naming_the_file_and_the_key(prompts_copy, old, new, error):
    language = re.search(r"^(\w+)", error).group(1)
    path = prompts_copy / "messages" / f"{language}.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(PromptError, match=error) as caught:
        load_prompts(prompts_copy)
    assert str(path) in str(caught.value)


def test_a_translation_without_a_command_falls_back_to_english(prompts_copy):
    path = prompts_copy / "messages" / "nl.yaml"
    text = path.read_text()
    path.write_text(re.sub(r"(?m)^  journal:\n    description: .*\n", "", text))
    prompts = load_prompts(prompts_copy)
    assert prompts("nl").commands["journal.description"] == prompts().commands["journal.description"]
    assert prompts("nl").commands["help.description"] == "Alles wat Hearth kan"


async def test_a_command_discord_registers_without_an_english_text_stops_start_up(prompts_copy, make_app):
    path = prompts_copy / "messages" / "en.yaml"
    text = path.read_text()
    path.write_text(text.replace("      alert_role: The moderator role to ping in alerts\n", ""))
    for language in LOCALES.values():  # a translation may not hold what English lacks
        other = prompts_copy / "messages" / f"{language}.yaml"
        other.write_text(re.sub(r"(?m)^      alert_role: .*\n", "", other.read_text()))
    app = make_app(prompts_dir=prompts_copy)

    with pytest.raises(PromptError, match=r"en\.yaml: 'commands\.hearth-config\.options\.alert_role' is missing"):
        HearthClient(app)
