"""Building the shipped model: the ensemble of the shipped recipe, the gradient-boosting peer, the ablation and the
candidates beside it, written with its report."""

import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import keras

from splice_core.analysis.calibration import (
    biology_card,
    change_interval_card,
    library_distance_card,
    row_interval_card,
)
from splice_core.analysis.variant_effects import library_pairs
from splice_core.data.contexts import library_to_one_hot
from splice_core.data.library import read_wildtype
from splice_core.data.noise_floor import noise_by_type, noise_floor, replicate_rows
from splice_core.data.published import study_headline
from splice_core.design.library_agreement import held_out_agreement_card
from splice_core.models.evaluation import (
    metrics_by_part,
    per_library_table,
    replicate_agreement,
    table_to_records,
)
from splice_core.models.lightgbm_peer import PEER_FILE, GradientBoostingPeer, fit_peer, save_peer
from splice_core.models.peer_blend import (
    BLEND_PEER_FILE,
    PeerBlend,
    blend_entry,
    blended_members,
    dev_pearson_by_weight,
    fit_blend_peer,
)
from splice_core.models.store import PRETRAINED_DIR, card_context, load_model, read_card, save_model_dir
from splice_core.models.training import ProgressCallback, TrainConfig
from splice_core.reports.shipped_recipe import CANDIDATES, HELD_OUT_GOAL, SHIPPED_CONFIG
from splice_core.reports.shipped_report import EARLIER_STAGES, kept_seeds, report_markdown
from splice_core.runs.experiment import (
    PreparedData,
    evaluation_card,
    knockout_mutants,
    member_predictions,
    predictor_variant_figures,
    prepare_data,
    run_training,
    variant_figures,
    with_site_gates,
)


def peer_results(data: PreparedData) -> tuple[dict, GradientBoostingPeer]:
    """Fit the LightGBM peer on the same split: its metrics overall and per library type on test, and the peer."""
    start = time.monotonic()
    features, pwms = data.peer_features
    peer = fit_peer(features, data.frame["splicing_eff"].to_numpy(), data.parts.to_numpy(), pwms)
    pred = peer.predict_features(features)
    return {
        "file": PEER_FILE,
        "metrics": metrics_by_part(data.frame, data.parts, pred),
        "per_library_test": table_to_records(per_library_table(data.frame, data.parts, pred)),
        "replicates": replicate_agreement(data.frame, data.parts, pred),
        "variant_effects": predictor_variant_figures(peer.predict_introns, data),
        "n_trees": int(peer.model.best_iteration_ or peer.model.n_estimators),
        "seconds": time.monotonic() - start,
    }, peer


def stage_ablation_names(card: dict) -> set[str]:
    """The ablation rows naming the card's earlier stages (:data:`EARLIER_STAGES`), which the card's figures give."""
    return {row for key, _, row in EARLIER_STAGES if key in card}


def with_peer_blend(
    model: keras.Model, card: dict, data: PreparedData, config: TrainConfig
) -> tuple[dict, PeerBlend | None]:
    """The card of the ensemble blended with a fold-free peer (:mod:`~splice_core.models.peer_blend`; fitted here, its
    weight chosen on dev), and the blend: the card's figures become the blend's, the ensemble's own kept under
    ``before_peer_blend`` (its metrics and variant effects, figured again from the model). An ensemble not reading bare introns is left as it is (no blend)."""
    from splice_core.predict.predictor import Predictor

    if card_context(card) != "intron":
        return card, None
    introns = data.frame["intron_seq"].astype(str).tolist()
    y, parts = data.frame["splicing_eff"].to_numpy(float), data.parts.to_numpy()
    knockouts = knockout_mutants(data, config)
    peer = fit_blend_peer(introns, y, parts, knockouts, data.pwms)
    x = library_to_one_hot(data.frame, "intron", data.reporter)
    members, peer_pred, dev = member_predictions(model, x), peer.predict_introns(introns), parts == "dev"
    entry = blend_entry(dev_pearson_by_weight(members[dev], peer_pred[dev], y[dev]), len(knockouts))
    blend = PeerBlend(peer, entry["weight"], tuple(entry["ramp"]))
    predictor = Predictor(model, card, blend=blend)
    blended = blended_members(members, peer_pred, blend.weight, blend.ramp)
    return (
        {
            **card,
            "before_peer_blend": {
                "metrics": metrics_by_part(data.frame, data.parts, members.mean(1)),
                "variant_effects": variant_figures(model, data, x.shape[1]),
            },
            "peer_blend": entry,  # the members' own test figures (members_test) stay the CNN's, beside their dev figures
            **evaluation_card(data, blended.mean(1)),
            "variant_effects": predictor_variant_figures(predictor.intron_members, data),
        },
        blend,
    )


def calibration_results(
    model, card: dict, data: PreparedData, data_dir=None, blend: PeerBlend | None = None
) -> dict:
    """The shipped predictor's trust figures for its card (:mod:`~splice_core.analysis.calibration`): intervals for
    predictions and for changes, the library distance, and the biology check on the annotated introns; the ensemble
    blended with ``blend`` where given."""
    from splice_core.predict.predictor import Predictor

    x = library_to_one_hot(data.frame, card_context(card), data.reporter)
    predictor = Predictor(model, card, blend=blend)
    members = predictor.blended(member_predictions(model, x), data.frame["intron_seq"].astype(str).tolist())
    parts = data.parts.to_numpy()
    out = {
        "intervals": row_interval_card(members, data.frame["splicing_eff"].to_numpy(float), parts),
        "change_intervals": change_interval_card(
            predictor.intron_members, library_pairs(data.frame, data.parts)
        ),
        "library_distance": library_distance_card(data.frame, parts, members.mean(1)),
        "biology_check": biology_card(predictor.intron_members, read_wildtype(data_dir), data.frame),
        "held_out_agreement": held_out_agreement_card(members, parts),
    }
    return {key: value for key, value in out.items() if value is not None}


def previous_results(directory: Path, data: PreparedData, split_seed: int, data_dir=None) -> dict | None:
    """The model that ``directory`` shipped before (if any, on the same split): its metrics, variant effects and biology
    check, for the report's before/after columns."""
    if not (Path(directory) / "model_card.json").is_file():
        return None
    from splice_core.predict.predictor import load_predictor

    previous = load_predictor(directory)
    if previous.card.get("split", {}).get("seed") != split_seed:
        return None
    return {
        "name": previous.card.get("name"),
        "metrics": metrics_by_part(
            data.frame, data.parts, previous.predict_library(data.frame, data.reporter)
        ),
        "variant_effects": predictor_variant_figures(previous.intron_members, data),
        "biology_check": biology_card(previous.intron_members, read_wildtype(data_dir), data.frame),
    }


def candidate_results(
    data: PreparedData, config: TrainConfig, on_epoch_end: ProgressCallback | None = None
) -> list[dict]:
    """Single-seed runs of the other architectures with the shipped recipe, for the report."""
    out = []
    for architecture, context in CANDIDATES:
        _, card = run_training(
            replace(config, architecture=architecture, context=context, n_seeds=1, ensemble=False),
            data=data,
            on_epoch_end=on_epoch_end,
        )
        out.append(
            {
                "name": card["name"],
                "parameters": card["parameters"],
                "metrics": card["metrics"],
                "seconds": card["seconds"],
            }
        )
    return out


def ablation_results(
    data: PreparedData, config: TrainConfig, on_epoch_end: ProgressCallback | None = None
) -> list[dict]:
    """The shipped recipe without its cryptic head (same seeds), for the report; none when it has no head."""
    if config.cryptic_weight <= 0:
        return []
    _, card = run_training(replace(config, cryptic_weight=0.0), data=data, on_epoch_end=on_epoch_end)
    members = len(kept_seeds(card))
    name = f"same recipe without the cryptic head ({members} member{'s' if members != 1 else ''})"
    return [{"name": name, "metrics": card["metrics"], "seconds": card["seconds"]}]


def planned_epochs(config: TrainConfig, candidates: bool = True, fine_tune_only: bool = False) -> int:
    """Epochs :func:`build_shipped` trains at most: the ensemble and its pair fine-tuning, then (with ``candidates``) its
    ablation and the candidates; with ``fine_tune_only`` (a base model given), the pair fine-tuning alone."""
    pairs = config.n_seeds * config.pair_epochs
    if fine_tune_only:
        return pairs
    runs = config.n_seeds * (1 + (candidates and config.cryptic_weight > 0)) + candidates * len(CANDIDATES)
    return runs * config.epochs + pairs


def build_shipped(
    data_dir=None,
    out: Path = PRETRAINED_DIR,
    config: TrainConfig = SHIPPED_CONFIG,
    candidates: bool = True,
    on_epoch_end: ProgressCallback | None = None,
    base_dir: Path | None = None,
    trained_dir: Path | None = None,
    finish: Callable[[Path], None] | None = None,
) -> dict:
    """Train the shipped ensemble, the peer and the candidates; write ``out`` (model, card, REPORT.md, the peer),
    keeping its other files.

    ``finish(folder)`` adds files to the new model's folder before it replaces ``out``'s (see :func:`write_shipped`).

    ``base_dir``: a model directory that an earlier run of this recipe wrote before its pair fine-tuning (the same
    seeds give the same members): its members are fine-tuned instead of trained again, and its card's ablations
    and candidates are kept. ``trained_dir``: a model directory that ship wrote: its ensemble and its training's
    figures are taken as they are (but for its members' site gates, fitted again where ``config`` has
    ``gate_epochs``: :func:`~splice_core.runs.experiment.with_site_gates`), and all that follows training (peer,
    calibration, report) is done again.
    """
    data = prepare_data(data_dir, config.split_seed, config.max_rows)
    previous = previous_results(out, data, config.split_seed, data_dir)
    base = (load_model(base_dir), read_card(base_dir)) if base_dir is not None else None
    if trained_dir is not None:
        model, card = load_model(trained_dir), read_card(trained_dir)
        if config.gate_epochs > 0:
            model, card = with_site_gates(model, card, data, config)
    else:
        model, card = run_training(config, data=data, on_epoch_end=on_epoch_end, base=base)
    card["peer"], peer = peer_results(data)
    card, blend = with_peer_blend(model, card, data, config)
    card.update(calibration_results(model, card, data, data_dir, blend))
    if previous:
        card["previous"] = previous
    replicates = replicate_rows(data.frame)
    card["noise_floor"] = noise_floor(data.frame, data.parts, replicates)
    card["noise_by_type"] = noise_by_type(data.frame, replicates)
    if trained_dir is not None:
        card["ablations"] = [
            a for a in card.get("ablations", []) if a["name"] not in stage_ablation_names(card)
        ]
    elif base is not None:
        card["base_model"] = {"path": str(base_dir), "seconds": base[1].get("seconds")}
        card["ablations"], card["candidates"] = base[1].get("ablations", []), base[1].get("candidates", [])
    else:
        card["ablations"] = ablation_results(data, config, on_epoch_end) if candidates else []
        card["candidates"] = candidate_results(data, config, on_epoch_end) if candidates else []
    card["ablations"] = [
        *({"name": row, **card[key]} for key, _, row in EARLIER_STAGES if key in card),
        *card["ablations"],
    ]
    card["study_reported"] = study_headline()
    card["target"] = HELD_OUT_GOAL
    write_shipped(out, model, card, peer, finish, blend)
    return card


def write_shipped(
    out: Path,
    model: "keras.Model",
    card: dict,
    peer: GradientBoostingPeer | None = None,
    finish: Callable[[Path], None] | None = None,
    blend: PeerBlend | None = None,
) -> None:
    """Write the model, its card, REPORT.md, the peer and the blend's peer (and what ``finish(folder)`` adds) beside
    ``out``, then move them in.

    ``out`` changes only once every file is complete: a failure (a full disk) leaves it as it was, and no
    half-written folder beside it. Only what ship writes is replaced: reproduce.{md,csv} stay.
    """
    staging = Path(out).with_name(Path(out).name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        save_model_dir(staging, model, card)
        if peer is not None:
            save_peer(peer, staging / PEER_FILE)
        if blend is not None:
            save_peer(blend.peer, staging / BLEND_PEER_FILE)
        (staging / "REPORT.md").write_text(report_markdown(card))
        if finish is not None:
            finish(staging)
        Path(out).mkdir(parents=True, exist_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for path in staging.iterdir():  # renames within one file system: they need no space
        path.replace(Path(out) / path.name)
    staging.rmdir()
