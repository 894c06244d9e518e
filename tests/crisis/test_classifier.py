"""The learned screen: its data file, its exact scoring, and what a person sees when only it notices."""

import asyncio
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import default_prompts_dir
from bot.crisis.classifier import features, load_classifier
from bot.crisis.lexicon import CrisisDataError
from bot.models import Level
from tests.fakes.openai_server import Script
from tests.helpers import message

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = default_prompts_dir() / "crisis" / "classifier.json"


def _model(tmp_path, weights, bias=-2.0, ask=0.6, urgent=0.999):
    path = tmp_path / "classifier.json"
    document = {"weights": weights, "bias": bias, "ask_threshold": ask, "urgent_threshold": urgent}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_scoring_is_the_trained_logistic_model_over_words_pairs_and_letter_groups(tmp_path):
    found = features("the lighthouse again")
    assert {"w:lighthouse", "b:the lighthouse", "t:the lighthouse again", "c: li", "c:use "} <= found.keys()
    assert features("the other")["c:the"] == 2  # a letter group shared by two words counts twice
    model = load_classifier(_model(tmp_path, {"w:lighthouse": 40.0}))
    text = "i keep thinking about the lighthouse"
    # The weights of the features present, scaled by 1/sqrt(their total count), as in training.
    expected = 1 / (1 + math.exp(-(40.0 / math.sqrt(sum(features(text).values())) - 2.0)))
    assert model.probability(text) == pytest.approx(expected)
    assert model.probability("i keep thinking about the harbour") < 0.2
    assert model.level("the lighthouse") is Level.CONCERN and model.level("the harbour") is Level.NONE
    sure = load_classifier(_model(tmp_path, {"w:lighthouse": 400.0}, urgent=0.99))
    assert sure.level("the lighthouse") is Level.URGENT
    assert model.probability("") == 0.0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "missing"),
        ("{not json", "not valid JSON"),
        ('{"weights": {}, "bias": 0}', "'weights' must map"),
        ('{"weights": {"w:a": "x"}, "bias": 0}', "every weight must be a number"),
        ('{"weights": {"w:a": 1}, "bias": 0, "ask_threshold": 0.9, "urgent_threshold": 0.8}', "ask_threshold"),
    ],
)
def test_a_broken_model_file_stops_start_up_with_one_line_naming_it(tmp_path, content, problem):
    path = tmp_path / "classifier.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CrisisDataError, match=problem) as caught:
        load_classifier(path)
    assert "classifier.json" in str(caught.value) and "\n" not in str(caught.value)


@pytest.fixture
def prompts_with_model(tmp_path):
    """A copy of the prompts whose learned screen notices one made-up word, so the flow is tested exactly."""
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder)
    _model(folder / "crisis", {"w:lighthouse": 40.0}, ask=0.6, urgent=0.999)  # replaces the shipped model
    return folder


async def test_when_only_the_learned_screen_notices_hearth_asks_directly_and_a_yes_is_urgent(
    make_app, fake_llm, prompts_with_model
):
    fake_llm.push(Script(text="I'm here."))
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, prompts_dir=prompts_with_model)
    asked = await app.pipeline.handle(message(app, "i keep driving out to the lighthouse at night"))
    answered = await app.pipeline.handle(message(app, "yes"))
    assert asked.kind == "check_in" and "Are you thinking about suicide" in asked.text
    assert answered.kind == "crisis" and answered.level is Level.URGENT
    assert fake_llm.requests == []  # neither message reached the language model


async def test_the_learned_screen_asks_once_then_the_conversation_goes_on_carefully(
    make_app, fake_llm, prompts_with_model
):
    fake_llm.push(Script(text="That sounds heavy. What is it like out there?"))
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, prompts_dir=prompts_with_model)
    await app.pipeline.handle(message(app, "i keep driving out to the lighthouse at night"))
    await app.pipeline.handle(message(app, "no, not like that"))
    later = await app.pipeline.handle(message(app, "the lighthouse is just where i think"))
    assert later.kind != "check_in"  # asked once; the reply comes from the LLM in careful mode
    assert len(fake_llm.requests) == 2


async def test_with_the_learned_screen_switched_off_nothing_is_asked(make_app, fake_llm, prompts_with_model):
    fake_llm.push(Script(text="Tell me more."))
    app = make_app(
        openai_base_url=fake_llm.base_url, consent_required=False, prompts_dir=prompts_with_model,
        crisis_classifier=False,
    )  # fmt: skip
    reply = await app.pipeline.handle(message(app, "i keep driving out to the lighthouse at night"))
    assert reply.kind != "check_in"


def test_the_shipped_model_leaves_everyday_talk_alone_and_hears_plain_despair():
    model = load_classifier(SHIPPED)
    from bot.crisis.lexicon import load_lexicon

    normalise = load_lexicon(default_prompts_dir() / "crisis").normalise
    for text in ["hello", "can you help me plan my week", "this commute is killing me", "kill the process",
                 "my cat knocked my coffee over lol", "what should i cook tonight", "and another thing"]:  # fmt: skip
        assert model.level(normalise(text)) is Level.NONE, text
    assert model.level(normalise("i just want everything to stop. for good this time")) is not Level.NONE


def test_training_writes_a_model_the_bot_scores_exactly_as_trained(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "model.json"
    data = ROOT / "tests/data/crisis"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/train_crisis_classifier.py"), "--data",
         str(data / "heldout.tsv"), str(data / "heldout2.tsv"), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "scorer matches the trained model" in result.stdout
    trained = load_classifier(out)
    assert 0.5 <= trained.ask_threshold <= trained.urgent_threshold < 1


async def test_the_cli_screens_with_the_learned_screen_as_the_bot_does(tmp_path):
    folder = tmp_path / "crisis"
    shutil.copytree(default_prompts_dir() / "crisis", folder)
    _model(folder, {"w:lighthouse": 400.0}, ask=0.6, urgent=0.99)
    lines = "i keep driving out to the lighthouse\nthis commute is killing me\n"

    async def cli(*args):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.crisis", "--data", str(folder), *args, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(lines.encode()), timeout=60)
        assert process.returncode == 0, err.decode()
        return [json.loads(line) for line in out.decode().splitlines()]

    assert await cli() == [{"level": "urgent", "categories": ["suicide"]}, {"level": "none", "categories": []}]
    assert (await cli("--rules-only"))[0] == {"level": "none", "categories": []}


def test_the_shipped_model_was_trained_on_what_the_normaliser_makes_today():
    # The model's features are words of the normalised text: a normaliser change without retraining would
    # quietly blind it. Retrain with scripts/train_crisis_classifier.py.
    from bot.crisis.lexicon import load_lexicon

    normalise = load_lexicon(default_prompts_dir() / "crisis").normalise
    probes = json.loads(SHIPPED.read_text(encoding="utf-8"))["probes"]
    assert len(probes) >= 10
    assert {text: normalise(text) for text in probes} == probes
