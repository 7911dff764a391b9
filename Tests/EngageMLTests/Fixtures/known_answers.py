"""Expected values for Tests/EngageMLTests/KnownAnswerTests.swift, computed by scikit-learn 1.9.1.

Run with the bench venv (scripts/requirements-bench.txt):
    .engage/bench-venv/bin/python Tests/EngageMLTests/Fixtures/known_answers.py
The dataset is the same formula as `KnownAnswerTests.wave(rows:)` in Swift.
"""
import math
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.metrics import roc_auc_score, average_precision_score, log_loss, brier_score_loss, r2_score


def wave(rows):
    X = np.array([[2 * math.sin(i * 0.37), math.cos(i * 0.11) + (i % 7) / 7, (i % 5) - 2.0] for i in range(rows)])
    y = np.array([1.0 if X[i, 0] + 0.5 * X[i, 1] + 0.8 * math.sin(i * 1.7) > 0.2 else 0.0 for i in range(rows)])
    target = X[:, 0] * 1.5 - X[:, 1] + 0.25 * X[:, 2] + np.array([0.3 * math.sin(i * 2.3) for i in range(rows)])
    return X, y, target


X, y, target = wave(200)
lr = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(X, y)
print("logistic coef", repr(lr.coef_[0].tolist()), "intercept", repr(float(lr.intercept_[0])))
y3 = np.array([float(int((X[i, 0] + 2) * 0.75)) for i in range(200)])
mlr = LogisticRegression(C=0.5, tol=1e-10, max_iter=1000).fit(X, y3)
print("multinomial classes", mlr.classes_.tolist(), "coef", repr(mlr.coef_.tolist()), "intercept", repr(mlr.intercept_.tolist()))
ridge = Ridge(alpha=2.0).fit(X, target)
print("ridge coef", repr(ridge.coef_.tolist()), "intercept", repr(float(ridge.intercept_)))
tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
print("tree_cls leaves", tree.get_n_leaves(), "root", tree.tree_.feature[0], repr(float(tree.tree_.threshold[0])),
      "importances", repr(tree.feature_importances_.tolist()), "train acc", tree.score(X, y))
etree = DecisionTreeClassifier(max_depth=3, criterion="entropy", random_state=0).fit(X, y)
print("entropy root", etree.tree_.feature[0], repr(float(etree.tree_.threshold[0])), "leaves", etree.get_n_leaves())
rtree = DecisionTreeRegressor(max_depth=4, min_samples_leaf=5, random_state=0).fit(X, target)
print("tree_reg leaves", rtree.get_n_leaves(), "root", rtree.tree_.feature[0], repr(float(rtree.tree_.threshold[0])),
      "r2 train", repr(float(r2_score(target, rtree.predict(X)))))
pruned = DecisionTreeClassifier(ccp_alpha=0.01, random_state=0).fit(X, y)
print("ccp 0.01 leaves", pruned.get_n_leaves())
best_first = DecisionTreeClassifier(max_leaf_nodes=5, random_state=0).fit(X, y)
print("max_leaf_nodes 5 leaves", best_first.get_n_leaves(), "train acc", best_first.score(X, y))
truth = [0, 0, 1, 1, 0, 1, 1, 0]
scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.55, 0.6]
print("metrics auc", roc_auc_score(truth, scores), "ap", average_precision_score(truth, scores),
      "logloss", log_loss(truth, scores), "brier", brier_score_loss(truth, scores))
