/** Session accounting for proxied requests: which session, totals, context gauge and cost. */
package io.kimi.services;
