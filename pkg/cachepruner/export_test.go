package cachepruner

// LnScoreSQLForTest exposes the scoring expression to the oracle tests.
const LnScoreSQLForTest = lnScoreSQL
