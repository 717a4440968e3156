package modej.tasks.data;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import modej.tasks.data.MathProblems.Problem;
import modej.tasks.data.MathProblems.Steps;

/**
 * The word-problem templates of {@link MathProblems}. Each draws its numbers so that every step is
 * a whole number and none goes negative; numbers the solution uses appear as digits in the
 * question, except the 2 of "twice" and "half" and the 3, 4, 5 of "a third", "a quarter", "a fifth".
 */
final class MathTemplates {

    /** A person in a problem, with the pronouns to refer to them. */
    private record Person(String name, String they, String their, String them) {
    }

    private static final List<Person> PEOPLE = List.of(
            new Person("Ava", "she", "her", "her"), new Person("Liam", "he", "his", "him"), new Person("Maya", "she", "her", "her"),
            new Person("Noah", "he", "his", "him"), new Person("Zoe", "she", "her", "her"), new Person("Omar", "he", "his", "him"),
            new Person("Priya", "she", "her", "her"), new Person("Mateo", "he", "his", "him"), new Person("Hana", "she", "her", "her"),
            new Person("Kofi", "he", "his", "him"), new Person("Elena", "she", "her", "her"), new Person("Jonas", "he", "his", "him"),
            new Person("Aisha", "she", "her", "her"), new Person("Ravi", "he", "his", "him"), new Person("Lucia", "she", "her", "her"),
            new Person("Tomas", "he", "his", "him"));
    private static final List<String> GOODS = List.of("notebooks", "apples", "pens", "mugs", "socks",
            "candles", "books", "plants", "towels", "puzzles");
    private static final List<String> SMALL_THINGS = List.of("stickers", "marbles", "cards", "candies",
            "shells", "beads", "stamps", "coins");
    private static final List<String> FRACTIONS = List.of("", "", "Half", "A third", "A quarter", "A fifth");

    private static final List<Function<Random, Problem>> TEMPLATES = List.of(
            MathTemplates::shopping, MathTemplates::distance, MathTemplates::sharing, MathTemplates::ages,
            MathTemplates::reading, MathTemplates::wages, MathTemplates::baking, MathTemplates::garden,
            MathTemplates::club, MathTemplates::factory, MathTemplates::marbles, MathTemplates::packs,
            MathTemplates::tickets, MathTemplates::saving, MathTemplates::fuel);

    private MathTemplates() {
    }

    /** One problem from a template chosen by {@code random}. */
    static Problem pick(Random random) {
        return TEMPLATES.get(random.nextInt(TEMPLATES.size())).apply(random);
    }

    private static int between(Random r, int low, int high) {
        return low + r.nextInt(high - low + 1);
    }

    private static <T> T any(Random r, List<T> options) {
        return options.get(r.nextInt(options.size()));
    }

    private static String cap(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private static Problem shopping(Random r) {
        Person p = any(r, PEOPLE);
        String first = any(r, GOODS);
        String second = any(r, GOODS.stream().filter(g -> !g.equals(first)).toList());
        int n1 = between(r, 2, 9), p1 = between(r, 2, 15), n2 = between(r, 2, 9), p2 = between(r, 2, 15);
        String q = p.name + " buys " + n1 + " " + first + " for $" + p1 + " each and " + n2 + " " + second
                + " for $" + p2 + " each.";
        Steps s = new Steps();
        long a = s.step("The " + first + " cost $%s.", n1, '*', p1);
        long b = s.step("The " + second + " cost $%s.", n2, '*', p2);
        long total = s.step("In all " + p.they + " spends $%s.", a, '+', b);
        if (r.nextBoolean()) {
            return s.finish(q + " How much does " + p.name + " spend in all?");
        }
        int bill = total < 50 ? 50 : total < 100 ? 100 : total < 200 ? 200 : 500;
        s.step(cap(p.their) + " change is $%s.", bill, '-', total);
        return s.finish(q + " " + cap(p.they) + " pays with a $" + bill + " bill. How much change does "
                + p.they + " get?");
    }

    private static Problem distance(Random r) {
        Person p = any(r, PEOPLE);
        int v1 = 5 * between(r, 4, 14), h1 = between(r, 2, 5), v2 = 5 * between(r, 4, 14), h2 = between(r, 1, 4);
        String q = p.name + " drives at " + v1 + " miles per hour for " + h1 + " hours, then at " + v2
                + " miles per hour for " + h2 + " hours.";
        Steps s = new Steps();
        long d1 = s.step("First " + p.they + " drives %s miles.", v1, '*', h1);
        long d2 = s.step("Then " + p.they + " drives %s miles.", v2, '*', h2);
        long d = s.step("Altogether that is %s miles.", d1, '+', d2);
        if (r.nextBoolean()) {
            return s.finish(q + " How many miles does " + p.they + " drive in all?");
        }
        int trip = (int) d + between(r, 10, 200);
        s.step(cap(p.they) + " still has %s miles to go.", trip, '-', d);
        return s.finish("The trip to the coast is " + trip + " miles long. " + q
                + " How many more miles must " + p.they + " drive?");
    }

    private static Problem sharing(Random r) {
        Person p = any(r, PEOPLE);
        String thing = any(r, SMALL_THINGS);
        int boxes = between(r, 2, 8), per = between(r, 6, 24), friends = between(r, 2, 6);
        int each = between(r, 1, (boxes * per - 1) / friends);
        int given = boxes * per - each * friends;
        Steps s = new Steps();
        long total = s.step(p.name + " has %s " + thing + ".", boxes, '*', per);
        long rest = s.step("After giving some away, %s " + thing + " are left.", total, '-', given);
        s.step("Each friend gets %s " + thing + ".", rest, '/', friends);
        return s.finish(p.name + " has " + boxes + " boxes of " + per + " " + thing + ". " + cap(p.they)
                + " gives " + given + " " + thing + " to " + p.their + " brother and shares the rest equally among "
                + friends + " friends. How many " + thing + " does each friend get?");
    }

    private static Problem ages(Random r) {
        Person a = any(r, PEOPLE);
        Person b = any(r, PEOPLE.stream().filter(o -> o != a).toList());
        Person c = any(r, PEOPLE.stream().filter(o -> o != a && o != b).toList());
        int x = between(r, 3, 15), times = between(r, 2, 4), later = between(r, 2, 10);
        int younger = between(r, 1, x * times - 1);
        String q = a.name + " is " + x + " years old. " + b.name + " is " + times + " times as old as " + a.name
                + ". " + c.name + " is " + younger + " years younger than " + b.name + ".";
        Steps s = new Steps();
        long ageB = s.step(b.name + " is %s years old.", x, '*', times);
        long ageC = s.step(c.name + " is %s years old.", ageB, '-', younger);
        if (r.nextBoolean()) {
            s.step("In " + later + " years " + c.name + " will be %s years old.", ageC, '+', later);
            return s.finish(q + " How old will " + c.name + " be in " + later + " years?");
        }
        long ab = s.step(a.name + " and " + b.name + " together are %s years old.", x, '+', ageB);
        s.step("With " + c.name + " the sum is %s years.", ab, '+', ageC);
        return s.finish(q + " What is the sum of their three ages?");
    }

    private static Problem reading(Random r) {
        Person p = any(r, PEOPLE);
        int monday = between(r, 5, 30);
        int pages = 3 * monday + 2 * between(r, 5, 60);
        Steps s = new Steps();
        long tuesday = s.step("On Tuesday " + p.they + " reads %s pages.", monday, '*', 2);
        long read = s.step("So far " + p.they + " has read %s pages.", monday, '+', tuesday);
        long left = s.step("There are %s pages left.", pages, '-', read);
        s.step("On Wednesday " + p.they + " reads %s pages.", left, '/', 2);
        return s.finish("A book has " + pages + " pages. " + p.name + " reads " + monday + " pages on Monday and "
                + "twice as many on Tuesday. On Wednesday " + p.they + " reads half of the remaining pages. "
                + "How many pages does " + p.they + " read on Wednesday?");
    }

    private static Problem wages(Random r) {
        Person p = any(r, PEOPLE);
        int wage = between(r, 8, 25), hours = between(r, 5, 40), weeks = between(r, 2, 10);
        long total = (long) wage * hours * weeks;
        int spent = (int) between(r, (int) (total / 4), (int) (total * 3 / 4));
        Steps s = new Steps();
        long week = s.step(cap(p.they) + " earns $%s a week.", wage, '*', hours);
        long saved = s.step("In " + weeks + " weeks " + p.they + " saves $%s.", week, '*', weeks);
        s.step("After buying the bike " + p.they + " has $%s left.", saved, '-', spent);
        return s.finish(p.name + " earns $" + wage + " an hour and works " + hours + " hours a week. " + cap(p.they)
                + " saves all of it for " + weeks + " weeks, then spends $" + spent + " on a bike. "
                + "How much money does " + p.they + " have left?");
    }

    private static Problem baking(Random r) {
        Person p = any(r, PEOPLE);
        int trays = between(r, 2, 6), per = between(r, 6, 24), bag = between(r, 2, 8);
        int bags = between(r, 1, (trays * per - 1) / bag);
        int eaten = trays * per - bags * bag;
        Steps s = new Steps();
        long cookies = s.step(cap(p.they) + " bakes %s cookies.", trays, '*', per);
        long rest = s.step("After eating some, %s cookies are left.", cookies, '-', eaten);
        s.step(cap(p.they) + " fills %s bags.", rest, '/', bag);
        return s.finish(p.name + " bakes " + trays + " trays of " + per + " cookies. The family eats " + eaten
                + " cookies and " + p.name + " packs the rest into bags of " + bag + ". How many bags does "
                + p.they + " fill?");
    }

    private static Problem garden(Random r) {
        int rows = between(r, 3, 12), per = between(r, 4, 15), yield = between(r, 2, 9);
        int died = between(r, 1, Math.max(1, rows * per / 3));
        Steps s = new Steps();
        long plants = s.step("The garden has %s plants.", rows, '*', per);
        long alive = s.step("Then %s plants are left.", plants, '-', died);
        s.step("They give %s tomatoes.", alive, '*', yield);
        return s.finish("A garden has " + rows + " rows with " + per + " tomato plants in each row. " + died
                + " plants die. Each remaining plant gives " + yield + " tomatoes. How many tomatoes are there?");
    }

    private static Problem club(Random r) {
        int part = between(r, 2, 5), students = part * between(r, 4, 20);
        int walkers = students / part;
        int bus = between(r, 2, students - walkers - 1);
        Steps s = new Steps();
        long walk = s.step("%s students walk.", students, '/', part);
        long rest = s.step("That leaves %s students.", students, '-', walk);
        s.step("So %s students ride bikes.", rest, '-', bus);
        return s.finish("There are " + students + " students in a club. " + FRACTIONS.get(part)
                + " of them walk to school. " + bus + " of the rest take the bus and the others ride bikes. "
                + "How many students ride bikes?");
    }

    private static Problem factory(Random r) {
        int box = between(r, 4, 12), rate = box * between(r, 2, 10), hours = between(r, 2, 10),
                days = between(r, 2, 7);
        Steps s = new Steps();
        long daily = s.step("Each day it makes %s toys.", rate, '*', hours);
        long toys = s.step("In " + days + " days it makes %s toys.", daily, '*', days);
        s.step("That fills %s boxes.", toys, '/', box);
        return s.finish("A machine makes " + rate + " toys an hour. It runs " + hours + " hours a day for "
                + days + " days. The toys are packed " + box + " to a box. How many boxes are filled?");
    }

    private static Problem marbles(Random r) {
        Person p = any(r, PEOPLE);
        String thing = any(r, SMALL_THINGS);
        int have = between(r, 5, 60), won = between(r, 2, 40), lost = between(r, 1, have + won);
        Steps s = new Steps();
        long now = s.step("After winning, " + p.they + " has %s " + thing + ".", have, '+', won);
        s.step("After losing some, " + p.they + " has %s " + thing + ".", now, '-', lost);
        return s.finish(p.name + " has " + have + " " + thing + ". " + cap(p.they) + " wins " + won
                + " more and then loses " + lost + ". How many " + thing + " does " + p.they + " have now?");
    }

    private static Problem packs(Random r) {
        Person p = any(r, PEOPLE);
        int packs = between(r, 2, 12), per = between(r, 4, 24), given = between(r, 1, packs * per - 1);
        Steps s = new Steps();
        long pencils = s.step(cap(p.they) + " buys %s pencils.", packs, '*', per);
        s.step(cap(p.they) + " keeps %s pencils.", pencils, '-', given);
        return s.finish(p.name + " buys " + packs + " packs of " + per + " pencils and gives " + given
                + " pencils to classmates. How many pencils does " + p.name + " keep?");
    }

    private static Problem tickets(Random r) {
        int adult = between(r, 8, 30), child = between(r, 3, adult - 1), adults = between(r, 1, 4),
                children = between(r, 1, 6);
        String q = "A museum ticket costs $" + adult + " for an adult and $" + child + " for a child. A family of "
                + adults + " adults and " + children + " children visits.";
        Steps s = new Steps();
        long a = s.step("The adult tickets cost $%s.", adults, '*', adult);
        long c = s.step("The child tickets cost $%s.", children, '*', child);
        long total = s.step("Together they cost $%s.", a, '+', c);
        if (r.nextBoolean()) {
            return s.finish(q + " How much do they pay for the tickets?");
        }
        int coupon = between(r, 1, (int) Math.min(total - 1, 20));
        s.step("With the coupon they pay $%s.", total, '-', coupon);
        return s.finish(q + " They have a coupon for $" + coupon + " off. How much do they pay?");
    }

    private static Problem saving(Random r) {
        Person p = any(r, PEOPLE);
        int weekly = between(r, 3, 20), weeks = between(r, 2, 15), has = between(r, 5, 100);
        int gift = r.nextBoolean() ? between(r, 5, 50) : 0;
        int price = has + gift + weekly * weeks;
        Steps s = new Steps();
        long need = s.step(cap(p.they) + " still needs $%s.", price, '-', has);
        if (gift > 0) {
            need = s.step("After the gift " + p.they + " needs $%s.", need, '-', gift);
        }
        s.step("That takes %s weeks.", need, '/', weekly);
        String giftText = gift > 0 ? " " + cap(p.their) + " grandmother gives " + p.them + " $" + gift + "." : "";
        return s.finish(p.name + " wants a bike that costs $" + price + ". " + cap(p.they) + " has $" + has + "."
                + giftText + " " + cap(p.they) + " saves $" + weekly + " each week. How many weeks until "
                + p.they + " can buy the bike?");
    }

    private static Problem fuel(Random r) {
        Person p = any(r, PEOPLE);
        int perLiter = between(r, 8, 20), daily = perLiter * between(r, 1, 6), days = between(r, 2, 10),
                price = between(r, 1, 3);
        Steps s = new Steps();
        long km = s.step(cap(p.they) + " drives %s km.", daily, '*', days);
        long liters = s.step("That uses %s liters of fuel.", km, '/', perLiter);
        s.step("The fuel costs $%s.", liters, '*', price);
        return s.finish(p.name + "'s car goes " + perLiter + " km on one liter of fuel. " + cap(p.they) + " drives "
                + daily + " km a day for " + days + " days. Fuel costs $" + price + " a liter. How much does "
                + p.they + " spend on fuel?");
    }
}
