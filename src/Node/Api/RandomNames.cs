namespace EventSwarm.Node.Api;

/// <summary>
/// A name for a service created without one. The Docker Engine names it as it names containers
/// (pkg/namesgenerator: "adjective_surname") before swarmkit sees the spec, so `docker service create busybox` works.
/// </summary>
public static class RandomNames
{
    private static readonly string[] Adjectives =
    [
        "admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "brave", "charming", "clever",
        "cool", "compassionate", "competent", "confident", "crazy", "dazzling", "determined", "eager", "ecstatic",
        "elastic", "elated", "elegant", "epic", "festive", "focused", "friendly", "frosty", "gallant", "gifted",
        "goofy", "gracious", "happy", "hopeful", "hungry", "inspiring", "intelligent", "jolly", "jovial", "keen",
        "kind", "laughing", "loving", "lucid", "magical", "modest", "nervous", "nice", "nifty", "nostalgic",
        "objective", "optimistic", "peaceful", "pensive", "practical", "priceless", "quirky", "quizzical", "relaxed",
        "reverent", "romantic", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "suspicious", "sweet",
        "tender", "thirsty", "trusting", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
        "xenodochial", "youthful", "zealous", "zen",
    ];

    private static readonly string[] Surnames =
    [
        "albattani", "allen", "babbage", "bardeen", "bell", "bhabha", "blackwell", "bohr", "booth", "brahmagupta",
        "cannon", "carson", "cerf", "chandrasekhar", "clarke", "curie", "darwin", "dijkstra", "einstein", "engelbart",
        "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "goldberg",
        "goodall", "hamilton", "hawking", "heisenberg", "hopper", "hypatia", "jang", "jennings", "kepler", "knuth",
        "lamport", "leakey", "liskov", "lovelace", "mayer", "mccarthy", "meitner", "mirzakhani", "morse", "newton",
        "nobel", "noether", "pare", "pascal", "pike", "ptolemy", "ritchie", "rosalind", "sammet", "shannon",
        "shockley", "sinoussi", "stonebraker", "tesla", "thompson", "torvalds", "turing", "varahamihira", "volhard",
        "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow", "yonath",
    ];

    public static string Next() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Surnames[Random.Shared.Next(Surnames.Length)]}";
}
