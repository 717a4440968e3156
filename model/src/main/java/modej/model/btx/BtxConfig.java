package modej.model.btx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The structure of a BTX (branch-train-mix) model: which FFN experts replace every layer's MLP,
 * and how a token is routed among them.
 *
 * <ul>
 *   <li>Stage 1, the branch ({@code mixed = false}): one expert, a copy of the backbone's MLPs
 *       trained on one domain; it replaces the MLP in every layer; no router.</li>
 *   <li>Stage 2, the mix ({@code mixed = true}): sources = the {@link #ORIGINAL} expert (a copy of
 *       the backbone's MLPs) then the domain experts, mixed in every layer by a token-level router:
 *       softmax over the sources, the top k kept and renormalised ({@code topK = 0} or
 *       {@code topK ≥ sources}: dense), with a Switch-Transformer balance loss.</li>
 * </ul>
 *
 * @param experts the domain experts, in source order (after {@link #ORIGINAL} when mixed)
 * @param mixed   stage 2 (router over the original and the domain experts) rather than stage 1
 * @param topK    sources each token computes; 0 = all (dense)
 * @param balance balance-loss coefficient, ≥ 0
 */
public record BtxConfig(List<String> experts, boolean mixed, int topK, float balance) {

    /** The name of the expert that starts as the backbone's own MLP, in stage 2's sources and reports. */
    public static final String ORIGINAL = "backbone";

    public BtxConfig {
        experts = List.copyOf(experts);
        if (experts.isEmpty() || new HashSet<>(experts).size() != experts.size()) {
            throw new IllegalArgumentException("btx experts: need at least one, each once, got " + experts);
        }
        for (String e : experts) {
            if (e.equals(ORIGINAL) || !e.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("btx expert name '" + e + "': letters, digits, '.', '_' or '-', and not '"
                        + ORIGINAL + "' (the original MLP's name)");
            }
        }
        if (!mixed && (experts.size() != 1 || topK != 0 || balance != 0)) {
            throw new IllegalArgumentException("btx stage 1 trains one expert without a router, got experts " + experts
                    + ", topK " + topK + ", balance " + balance);
        }
        if (topK < 0 || topK > (mixed ? experts.size() + 1 : 1)) {
            throw new IllegalArgumentException("btx topK must be 0 (dense) up to the " + (experts.size() + 1)
                    + " sources (the original MLP and each expert), got " + topK);
        }
        if (!(balance >= 0) || Float.isInfinite(balance)) {
            throw new IllegalArgumentException("btx balance must be >= 0, got " + balance);
        }
    }

    /** Stage 1: one domain's branch. */
    public static BtxConfig branch(String domain) {
        return new BtxConfig(List.of(domain), false, 0, 0f);
    }

    /** FFN experts per layer: 1 in stage 1; the original and every domain expert in stage 2. */
    public int sources() {
        return mixed ? experts.size() + 1 : 1;
    }

    /** The sources' names in order: {@link #ORIGINAL} then the domains (stage 2), or the one domain (stage 1). */
    public List<String> sourceNames() {
        List<String> names = new ArrayList<>();
        if (mixed) {
            names.add(ORIGINAL);
        }
        names.addAll(experts);
        return List.copyOf(names);
    }

    /** Whether a token skips some experts: a top k below the number of sources. */
    public boolean sparse() {
        return mixed && topK > 0 && topK < sources();
    }

    /** FFN experts that compute for each token. */
    public int activeSources() {
        return sparse() ? topK : sources();
    }
}
