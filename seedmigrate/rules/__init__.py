"""The ``SEED0xx`` rules, one module each; :data:`ALL_RULES` in code order."""

from __future__ import annotations

from seedmigrate.rules import (
    seed000_unreadable_file,
    seed001_manual_global_seeding,
    seed002_seeding_helper,
    seed003_missing_seed_flag,
    seed004_seed_flag_default,
    seed005_missing_seeder_init,
    seed006_epoch_loop_reseed,
    seed007_keras_fit_callback,
    seed008_fwr13y_import,
    seed009_generated_seed,
    seed010_seeding_in_loop_or_thread,
    seed011_seeding_value_used,
    seed012_pythonhashseed,
    seed013_local_generator,
    seed014_dali_pipeline,
    seed015_sampler_without_set_epoch,
    seed016_checkpoint_without_epoch,
    seed017_config_driven_seed,
    seed018_seed_guard_always_true,
    seed019_unresolved_seeding_helper,
    seed020_lightning_seed_everything,
)
from seedmigrate.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        seed000_unreadable_file,
        seed001_manual_global_seeding,
        seed002_seeding_helper,
        seed003_missing_seed_flag,
        seed004_seed_flag_default,
        seed005_missing_seeder_init,
        seed006_epoch_loop_reseed,
        seed007_keras_fit_callback,
        seed008_fwr13y_import,
        seed009_generated_seed,
        seed010_seeding_in_loop_or_thread,
        seed011_seeding_value_used,
        seed012_pythonhashseed,
        seed013_local_generator,
        seed014_dali_pipeline,
        seed015_sampler_without_set_epoch,
        seed016_checkpoint_without_epoch,
        seed017_config_driven_seed,
        seed018_seed_guard_always_true,
        seed019_unresolved_seeding_helper,
        seed020_lightning_seed_everything,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}


def find_rule(key: str) -> Rule | None:
    """A rule by code (``SEED005``, case-insensitive) or slug (``missing-seeder-init``)."""
    key = key.strip()
    return RULES_BY_CODE.get(key.upper()) or next((r for r in ALL_RULES if r.slug == key), None)
