package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.alerts.AlertRule.DropVsBaseline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates one alert rule on one series (the key, {@link SeriesRow#key()}) every time event time
 * passes the end of a metric row: the window is the rule's {@code window} of rows ending there, the
 * baseline the rule's hours before it, and {@link AlertEvaluator} decides whether an alert fires or
 * resolves. The Flink part only keys, times and stores.
 *
 * <p>State per key, all of it in Flink keyed state so a restore from a checkpoint or savepoint
 * resumes with the same baselines and the same open episodes:
 *
 * <ul>
 *   <li>the newest version of every row that may still change or that a future window still needs
 *       (window + allowed lateness), so a late record's newer version replaces the old one;
 *   <li>for baseline rules, hourly sums of the older rows, for 7 days: at most 7 × 24 entries,
 *       whatever the row rate;
 *   <li>the {@link AlertState} of the lifecycle.
 * </ul>
 *
 * <p>Evaluation runs on an event-time timer at row end + {@code evaluationDelay}: the delay is 0
 * where a row is complete when its window closes (surveys, tickets) and the inactivity timeout for
 * checkout abandonment, whose rows fill in as checkouts are decided. A row that arrives for an hour
 * already folded into the hourly sums is past every allowed lateness; it is counted in {@code
 * alertRowsTooLate} and left out.
 */
public class AlertFunction extends KeyedProcessFunction<String, SeriesRow, Alert> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AlertFunction.class);
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long BASELINE_SPAN = Duration.ofDays(Baseline.DAYS).toMillis();

  /** Counter names, per subtask. */
  public static final String ALERTS_FIRING = "alertsFiring";

  public static final String ALERTS_RESOLVED = "alertsResolved";
  public static final String EVALUATIONS = "alertEvaluations";
  public static final String ROWS_TOO_LATE = "alertRowsTooLate";

  /** Side output: every evaluation, whether or not it changed the rule's state. */
  public static final OutputTag<RuleEvaluation> EVALUATION_RECORDS =
      new OutputTag<>("rule-evaluations", TypeInformation.of(RuleEvaluation.class));

  private final AlertRules rules;
  private final long rowMillis;
  private final long delayMillis;
  private final long retentionMillis;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final MapStateDescriptor<String, MetricRow> rowsState =
      new MapStateDescriptor<>("alert-rows", Types.STRING, TypeInformation.of(MetricRow.class));
  private final MapStateDescriptor<Long, MetricWindow> hoursState =
      new MapStateDescriptor<>("alert-hours", Types.LONG, TypeInformation.of(MetricWindow.class));
  private final ValueStateDescriptor<Long> foldedBeforeState =
      new ValueStateDescriptor<>("alert-folded-before", Types.LONG);
  private final ValueStateDescriptor<AlertState> lifecycleState =
      new ValueStateDescriptor<>("alert-state", TypeInformation.of(AlertState.class));

  private transient Map<String, AlertEvaluator> evaluators;
  private transient MapState<String, MetricRow> rows;
  private transient MapState<Long, MetricWindow> hours;
  private transient ValueState<Long> foldedBefore;
  private transient ValueState<AlertState> lifecycle;
  private transient Counter firing;
  private transient Counter resolved;
  private transient Counter evaluations;
  private transient Counter rowsTooLate;

  /**
   * @param rules the rules; keys name one of them
   * @param row length of the metric rows (the job's window); rule windows are multiples of it
   * @param evaluationDelay how long after a row's end its window is evaluated
   * @param retention how long after its end a row may still change (the job's allowed lateness)
   * @throws IllegalArgumentException if a rule's window is not a whole number of rows
   */
  public AlertFunction(
      AlertRules rules, Duration row, Duration evaluationDelay, Duration retention) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.rowMillis = row.toMillis();
    this.delayMillis = evaluationDelay.toMillis();
    this.retentionMillis = retention.toMillis();
    if (rowMillis <= 0 || delayMillis < 0 || retentionMillis < 0) {
      throw new IllegalArgumentException(
          "need a positive row length and no negative delay or retention: "
              + row
              + ", "
              + evaluationDelay
              + ", "
              + retention);
    }
    for (AlertRule rule : rules.rules()) {
      if (rule.window().toMillis() % rowMillis != 0) {
        throw new IllegalArgumentException(
            "alert rule "
                + rule.id()
                + ": window "
                + AlertEvaluator.formatDuration(rule.window())
                + " is not a whole number of the job's "
                + AlertEvaluator.formatDuration(row)
                + " windows");
      }
    }
  }

  @Override
  public void open(OpenContext openContext) {
    evaluators = new HashMap<>();
    for (AlertRule rule : rules.rules()) {
      evaluators.put(rule.id(), new AlertEvaluator(rule));
    }
    rows = getRuntimeContext().getMapState(rowsState);
    hours = getRuntimeContext().getMapState(hoursState);
    foldedBefore = getRuntimeContext().getState(foldedBeforeState);
    lifecycle = getRuntimeContext().getState(lifecycleState);
    var group = getRuntimeContext().getMetricGroup();
    firing = group.counter(ALERTS_FIRING);
    resolved = group.counter(ALERTS_RESOLVED);
    evaluations = group.counter(EVALUATIONS);
    rowsTooLate = group.counter(ROWS_TOO_LATE);
  }

  @Override
  public void processElement(SeriesRow in, Context ctx, Collector<Alert> out) throws Exception {
    MetricRow row = in.getRow();
    Long folded = foldedBefore.value();
    if (folded != null && row.getWindowStartMillis() < folded) {
      rowsTooLate.inc();
      LOG.debug("Row past the alert retention, left out: {} for {}", row, in.getRuleId());
      return;
    }
    String rowId = row.getRowKey() + '@' + row.getWindowStartMillis();
    MetricRow known = rows.get(rowId);
    if (known == null || row.getVersion() > known.getVersion()) {
      rows.put(rowId, row);
    }
    long evaluateAt = row.getWindowEndMillis() + delayMillis;
    long watermark = ctx.timerService().currentWatermark();
    if (evaluateAt <= watermark) {
      // A late row (a window whose first or newer version came after its end): the windows ending
      // up to the watermark are behind, but later ones may still hold it. Evaluate the first of
      // them; it re-arms the rest. Without this a quiet series, whose other rows set no timers,
      // would never evaluate the row at all.
      evaluateAt += ((watermark - evaluateAt) / rowMillis + 1) * rowMillis;
      long windowMillis = rules.rule(in.getRuleId()).map(r -> r.window().toMillis()).orElse(0L);
      if (evaluateAt - delayMillis - windowMillis > row.getWindowStartMillis()) {
        return;
      }
    }
    ctx.timerService().registerEventTimeTimer(evaluateAt);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    String key = ctx.getCurrentKey();
    Optional<AlertRule> found = ruleOf(key);
    if (found.isEmpty()) {
      dropSeries(key);
      return;
    }
    AlertRule rule = found.get();
    if (dropOtherMetric(rule.metric())) {
      // The rule kept its id but now watches another metric: what was stored for the old one
      // cannot be added to the new, and its episode is about something no longer watched.
      LOG.warn(
          "Alert rule {} now watches {}; state of {} kept for another metric dropped",
          rule.id(),
          rule.metric().key(),
          seriesOf(key).describe());
      lifecycle.clear();
      foldedBefore.clear();
    }
    long windowMillis = rule.window().toMillis();
    long end = timestamp - delayMillis;
    long start = end - windowMillis;

    MetricWindow current = MetricWindow.empty(rule.metric());
    boolean inNextWindow = false;
    List<MetricRow> all = new ArrayList<>();
    for (MetricRow row : rows.values()) {
      all.add(row);
      if (row.getWindowStartMillis() >= start && row.getWindowEndMillis() <= end) {
        current = current.plus(row.getComponents());
        inNextWindow |= row.getWindowStartMillis() >= start + rowMillis;
      }
    }
    MetricWindow baseline =
        rule.condition() instanceof DropVsBaseline drop
            ? baseline(drop.baseline(), Instant.ofEpochMilli(start), rule.metric(), all)
            : null;

    evaluations.inc();
    AlertState state = Optional.ofNullable(lifecycle.value()).orElseGet(AlertState::new);
    Evaluation evaluation =
        new Evaluation(
            seriesOf(key),
            Instant.ofEpochMilli(start),
            Instant.ofEpochMilli(end),
            current,
            baseline);
    AlertEvaluator evaluator = evaluators.get(rule.id());
    AlertEvaluator.Check check = evaluator.check(evaluation);
    Optional<Alert> alert = evaluator.evaluate(state, evaluation, check);
    lifecycle.update(state);
    ctx.output(EVALUATION_RECORDS, RuleEvaluation.of(rule, evaluation, check, state.isFiring()));
    if (alert.isPresent()) {
      (alert.get().status() == Alert.Status.FIRING ? firing : resolved).inc();
      LOG.info(
          "Alert {} {}: {}", alert.get().status(), alert.get().alertId(), alert.get().summary());
      out.collect(alert.get());
    }

    // The rows still in the window that ends one row later keep the evaluations going; rows that
    // come later set their own timers.
    if (inNextWindow) {
      ctx.timerService().registerEventTimeTimer(timestamp + rowMillis);
    }
    forget(rule, start, end, all);
  }

  private MetricWindow baseline(
      Baseline baseline, Instant windowStart, Metric metric, List<MetricRow> all) throws Exception {
    MetricWindow sum = MetricWindow.empty(metric);
    for (Baseline.Period period : baseline.periods(windowStart)) {
      long from = period.start().toEpochMilli();
      long to = period.end().toEpochMilli();
      for (long hour = from; hour < to; hour += HOUR) {
        MetricWindow folded = hours.get(hour);
        if (folded != null) {
          sum = sum.plus(folded);
        }
      }
      for (MetricRow row : all) {
        if (row.getWindowStartMillis() >= from && row.getWindowEndMillis() <= to) {
          sum = sum.plus(row.getComponents());
        }
      }
    }
    return sum;
  }

  /**
   * Drops what no later evaluation needs: rows that can no longer change and have left every future
   * window. A baseline rule first adds them to their hour's sum; hours older than any baseline go.
   */
  private void forget(AlertRule rule, long start, long end, List<MetricRow> all) throws Exception {
    long horizon = start - retentionMillis;
    if (!(rule.condition() instanceof DropVsBaseline)) {
      for (MetricRow row : all) {
        if (row.getWindowEndMillis() <= horizon) {
          rows.remove(row.getRowKey() + '@' + row.getWindowStartMillis());
        }
      }
      foldedBefore.update(Math.max(Optional.ofNullable(foldedBefore.value()).orElse(0L), horizon));
      return;
    }
    long foldHour = Math.floorDiv(horizon, HOUR) * HOUR;
    for (MetricRow row : all) {
      if (row.getWindowStartMillis() < foldHour) {
        long hour = Math.floorDiv(row.getWindowStartMillis(), HOUR) * HOUR;
        MetricWindow sum = hours.get(hour);
        hours.put(hour, sum == null ? row.getComponents() : sum.plus(row.getComponents()));
        rows.remove(row.getRowKey() + '@' + row.getWindowStartMillis());
      }
    }
    Long folded = foldedBefore.value();
    if (folded == null || foldHour > folded) {
      foldedBefore.update(foldHour);
    }
    long oldestNeeded = Math.floorDiv(start, HOUR) * HOUR - BASELINE_SPAN;
    List<Long> expired = new ArrayList<>();
    for (Long hour : hours.keys()) {
      if (hour < oldestNeeded) {
        expired.add(hour);
      }
    }
    for (Long hour : expired) {
      hours.remove(hour);
    }
  }

  private Optional<AlertRule> ruleOf(String key) {
    return rules.rule(ruleIdOf(key));
  }

  private static String ruleIdOf(String key) {
    return key.substring(0, key.indexOf('\u0000'));
  }

  /**
   * Forgets a series whose rule is no longer in the rules file: the file changed between a
   * checkpoint or savepoint and the restore, and the series' timers came back with its state. Its
   * rows, hourly sums and lifecycle go and no timer is re-armed, so nothing fires for it again.
   * Throwing instead would fail the job on every restart from that snapshot.
   */
  private void dropSeries(String key) throws Exception {
    AlertState state = lifecycle.value();
    if (state != null && state.isFiring()) {
      LOG.warn(
          "Alert rule {} is no longer in the rules; its open episode {} on {} ends without a"
              + " RESOLVED",
          ruleIdOf(key),
          state.getAlertId(),
          seriesOf(key).describe());
    } else if (state != null || !rows.isEmpty()) {
      LOG.info(
          "Alert rule {} is no longer in the rules; state of {} dropped",
          ruleIdOf(key),
          seriesOf(key).describe());
    }
    clearSeries();
  }

  private void clearSeries() {
    rows.clear();
    hours.clear();
    foldedBefore.clear();
    lifecycle.clear();
  }

  /** Removes rows and hourly sums of any metric but {@code metric}; whether there were any. */
  private boolean dropOtherMetric(Metric metric) throws Exception {
    List<String> staleRows = new ArrayList<>();
    for (Map.Entry<String, MetricRow> row : rows.entries()) {
      if (row.getValue().getMetric() != metric) {
        staleRows.add(row.getKey());
      }
    }
    List<Long> staleHours = new ArrayList<>();
    for (Map.Entry<Long, MetricWindow> hour : hours.entries()) {
      if (hour.getValue().metric() != metric) {
        staleHours.add(hour.getKey());
      }
    }
    for (String row : staleRows) {
      rows.remove(row);
    }
    for (Long hour : staleHours) {
      hours.remove(hour);
    }
    return !staleRows.isEmpty() || !staleHours.isEmpty();
  }

  private static AlertScope seriesOf(String key) {
    int first = key.indexOf('\u0000');
    int second = key.indexOf('\u0000', first + 1);
    return new AlertScope(key.substring(first + 1, second), key.substring(second + 1));
  }
}
