"""The shipped model's recipe: its training config, the architectures compared beside it, and its targets."""

from splice_core.models.training import TrainConfig

SHIPPED_CONFIG = TrainConfig(
    architecture="site_aware_cnn",
    context="intron",
    n_seeds=4,
    epochs=40,
    learning_rate=1e-3,
    lr_decay=2e-3,
    patience=10,
    min_delta=0.0,
    ensemble=True,
    clipnorm=1.0,
    loss="bce",
    mixed_weighting=True,
    construct_mean_labels=True,
    cryptic_weight=0.5,
    pair_epochs=3,
    pair_learning_rate=2e-4,
    change_weight=1.0,
    knockout_weight=2.0,
    gate_epochs=40,
    gate_branch_weight=8.0,
    peer_label_weight=0.5,
)
CANDIDATES = (("dilated_resnet", "intron"), ("cnn_res1_conv", "windows"), ("cnn_res1_conv", "intron"))
TARGET = {"pearson": 0.85, "balanced_mse": 0.040}
VARIANT_TARGET = {"pearson": 0.60, "sign_agreement": 0.75, "knockout": 0.05}
