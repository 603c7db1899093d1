"""The reference study's published figures: the CS230 report whose Table 1 this project reproduces.

Every figure the study reports is here once; the reproduction table, the Model page and the shipped model's report
read them from this module.
"""

# Table 1's trained rows: (architecture, context, parameter count the study reports).
STUDY_TABLE1 = (
    ("cnn_res1", "windows", 14424),
    ("cnn_res1_conv", "windows", 16536),
    ("cnn_res4", "windows", 57912),
    ("cnn_stacked", "windows", 15480),
    ("bilstm", "full", 991329),
)
# The study's PWM baseline and its best CNN (1 residual block + conv on the 120-nt site windows) as (model, context).
BASELINE_ROW, BEST_CNN_ROW = ("PWM baseline", "sites"), ("cnn_res1_conv", "windows")
# The figures the study reports, per (model, context) row; its test set was rebalanced.
STUDY_REPORTED = {
    BEST_CNN_ROW: {"dev_mse": 0.104, "dev_pearson": 0.625, "test_mse": 0.102},
    BASELINE_ROW: {"test_mse": 0.202},
}


def study_headline() -> dict[str, float]:
    """The best CNN's reported dev MSE, dev Pearson and test MSE, and the baseline's test MSE (``baseline_test_mse``)."""
    return {**STUDY_REPORTED[BEST_CNN_ROW], "baseline_test_mse": STUDY_REPORTED[BASELINE_ROW]["test_mse"]}
