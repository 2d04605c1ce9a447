package io.kimi.core.store;

/**
 * How far our local (jtokkit) estimates were from the usage the provider reported, over the requests that have
 * both. The error of one request is {@code |estimated - reported| / reported}, in percent; a mean is over the
 * requests whose reported count is above zero (its sample count), and is 0 when there are none.
 *
 * @param requestsWithReportedUsage requests for which the provider reported usage
 * @param promptSamples requests with a reported prompt count above zero
 * @param promptMeanAbsErrorPercent mean absolute error of the prompt estimate, in percent
 * @param completionSamples sampled requests with a reported completion count above zero
 * @param completionMeanAbsErrorPercent mean absolute error of the completion estimate, in percent
 * @param completionSampledRequests requests with reported usage whose completion was also counted locally (the
 *     sample the completion figures are over)
 */
public record EstimateAccuracy(
        long requestsWithReportedUsage,
        long promptSamples,
        double promptMeanAbsErrorPercent,
        long completionSamples,
        double completionMeanAbsErrorPercent,
        long completionSampledRequests) {

    public static final EstimateAccuracy NONE = new EstimateAccuracy(0, 0, 0.0, 0, 0.0, 0);
}
