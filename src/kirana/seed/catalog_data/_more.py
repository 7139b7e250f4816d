"""The demo catalog's remaining top-level categories."""

from __future__ import annotations

from kirana.seed.catalog_data._shapes import Sub, Top, _t

MORE: tuple[Top, ...] = (
    Top(
        "Baby Care",
        _t("Little Sprout|Baby Bloom|Tiny Toes"),
        "Made for the littlest ones.",
        (
            Sub(
                "Diapers & Wipes",
                _t("Diapers|Diaper Pants|Baby Wipes"),
                _t("Newborn|Small|Medium|Large|XL"),
                _t("20 pcs|44 pcs|72 pcs"),
                (270, 2100),
            ),
            Sub(
                "Baby Food",
                _t("Cereal|Puree|Formula|Rice Rusk"),
                _t("Rice|Wheat Apple|Mixed Fruit|Stage 1|Stage 2"),
                _t("300 g|400 g"),
                (225, 1200),
            ),
            Sub(
                "Baby Bath",
                _t("Baby Shampoo|Baby Oil|Baby Lotion|Baby Soap|Baby Powder"),
                _t("|Gentle|Lavender"),
                _t("100 ml|200 ml|75 g"),
                (120, 600),
            ),
        ),
    ),
    Top(
        "Pet Care",
        _t("Happy Paws|Whisker Co|Tail Wag"),
        "For the ones who wait at the door.",
        (
            Sub(
                "Dog Food",
                _t("Dry Dog Food|Wet Dog Food|Dog Treats|Dog Biscuits"),
                _t("Chicken|Lamb|Puppy|Adult|Vegetarian"),
                _t("400 g|1.2 kg|3 kg"),
                (135, 2400),
            ),
            Sub(
                "Cat Food",
                _t("Dry Cat Food|Wet Cat Food|Cat Treats"),
                _t("Tuna|Chicken|Kitten|Ocean Fish"),
                _t("85 g|400 g|1.2 kg"),
                (68, 1350),
            ),
            Sub(
                "Pet Supplies",
                _t("Cat Litter|Pet Shampoo|Chew Toy|Poop Bags"),
                _t("|Clumping|Anti-Tick"),
                _t("1 pc|5 kg|200 ml"),
                (135, 1050),
            ),
        ),
    ),
    Top(
        "Frozen Food",
        _t("Arctic Kitchen|FrostBite|Polar Pantry"),
        "Frozen at its best, kept below -18 °C.",
        (
            Sub(
                "Frozen Snacks",
                _t("French Fries|Aloo Tikki|Veg Nuggets|Chicken Nuggets|Spring Rolls|Samosa|Momos"),
                _t("|Crispy|Spicy|Classic"),
                _t("250 g|400 g|1 kg"),
                (135, 675),
            ),
            Sub(
                "Frozen Vegetables",
                _t("Green Peas|Sweet Corn|Mixed Vegetables|Broccoli|Spinach Cubes"),
                _t("|Premium"),
                _t("200 g|500 g|1 kg"),
                (75, 450),
            ),
            Sub(
                "Ice Cream & Desserts",
                _t("Ice Cream Tub|Ice Cream Cone|Kulfi|Sorbet|Frozen Yogurt"),
                _t("Vanilla|Chocolate|Butterscotch|Mango|Strawberry|Pista"),
                _t("100 ml|500 ml|1 L|4 pcs"),
                (45, 675),
            ),
        ),
    ),
    Top(
        "Meat & Fish",
        _t("Coastal Catch|Fresh Cuts|Farm Grove"),
        "Cleaned, cut and chilled.",
        (
            Sub(
                "Chicken",
                _t(
                    "Chicken Breast|Chicken Curry Cut|Chicken Drumsticks|Chicken Mince|Chicken Wings|Chicken Sausages"
                ),
                _t("|Boneless|Skinless|Marinated"),
                _t("250 g|500 g|1 kg"),
                (180, 1050),
            ),
            Sub(
                "Fish & Seafood",
                _t("Salmon Fillet|Rohu|Prawns|Pomfret|Seer Fish|Tuna Steak|Mackerel"),
                _t("|Cleaned|Fillet|Whole"),
                _t("250 g|500 g"),
                (225, 1800),
            ),
            Sub(
                "Mutton",
                _t("Mutton Curry Cut|Mutton Mince|Mutton Chops|Lamb Leg"),
                _t("|Boneless|Premium"),
                _t("250 g|500 g"),
                (450, 1650),
            ),
        ),
    ),
    Top(
        "Breakfast",
        _t("Morning Star|Sunrise Foods|Early Bird"),
        "A good start, ready in minutes.",
        (
            Sub(
                "Cereals",
                _t("Corn Flakes|Muesli|Granola|Oats|Choco Flakes|Wheat Flakes"),
                _t("|Honey|Fruit & Nut|Almond|Multigrain"),
                _t("250 g|500 g|1 kg"),
                (90, 825),
            ),
            Sub(
                "Spreads",
                _t("Peanut Butter|Fruit Jam|Honey|Chocolate Spread|Marmalade"),
                _t("|Crunchy|Creamy|Mixed Fruit|Strawberry"),
                _t("200 g|350 g|500 g"),
                (105, 750),
            ),
            Sub(
                "Ready Mixes",
                _t("Idli Mix|Dosa Mix|Upma Mix|Pancake Mix|Poha Mix"),
                _t("|Rava|Instant"),
                _t("200 g|500 g"),
                (60, 330),
            ),
        ),
    ),
    Top(
        "Sweets & Chocolates",
        _t("Cocoa Craft|Mithai Mahal|Sweet Tooth"),
        "Because some days need it.",
        (
            Sub(
                "Chocolates",
                _t("Milk Chocolate|Dark Chocolate|Chocolate Bar|Truffles|Chocolate Coated Nuts"),
                _t("|Hazelnut|Almond|Orange|70% Cocoa|Caramel"),
                _t("40 g|100 g|200 g"),
                (30, 900),
            ),
            Sub(
                "Indian Sweets",
                _t("Gulab Jamun|Rasgulla|Soan Papdi|Kaju Katli|Ladoo|Peda"),
                _t("|Classic|Sugar-Free"),
                _t("250 g|500 g|1 kg"),
                (135, 1350),
            ),
            Sub(
                "Candies & Gums",
                _t("Toffees|Lollipops|Chewing Gum|Mints|Jelly Beans"),
                _t("Mango|Mint|Mixed Fruit|Cola|Strawberry"),
                _t("50 g|100 g|1 pack"),
                (15, 180),
            ),
        ),
    ),
    Top(
        "Tea & Coffee",
        _t("Assam Valley|Nilgiri Estate|Brew Bros|Chai Point"),
        "Brewed the way you like it.",
        (
            Sub(
                "Tea",
                _t("Black Tea|Green Tea|Masala Chai|Darjeeling Tea|Herbal Tea|Tea Bags"),
                _t("|Ginger|Tulsi|Lemon|Cardamom|Premium"),
                _t("100 g|250 g|25 bags"),
                (90, 1050),
            ),
            Sub(
                "Coffee",
                _t("Filter Coffee|Instant Coffee|Ground Coffee|Coffee Beans|Cold Brew"),
                _t("|Dark Roast|Medium Roast|Chicory Blend|Arabica"),
                _t("100 g|200 g|500 g"),
                (180, 1650),
            ),
        ),
    ),
    Top(
        "Sauces & Spreads",
        _t("Saucy Chef|Tangy Tales|Chutney Co"),
        "The finishing touch.",
        (
            Sub(
                "Ketchup & Sauces",
                _t(
                    "Tomato Ketchup|Chilli Sauce|Soy Sauce|Mayonnaise|Mustard|Barbecue Sauce|Pasta Sauce"
                ),
                _t("|Hot|Garlic|Eggless|Classic"),
                _t("200 g|500 g|1 kg"),
                (60, 525),
            ),
            Sub(
                "Pickles & Chutneys",
                _t(
                    "Mango Pickle|Lime Pickle|Mixed Pickle|Green Chutney|Tamarind Chutney|Garlic Pickle"
                ),
                _t("|Andhra Style|Punjabi Style|Sweet"),
                _t("200 g|400 g"),
                (90, 420),
            ),
        ),
    ),
    Top(
        "Ready Meals",
        _t("Ghar Ka Khana|Quick Chef|Tiffin Box"),
        "Heat, eat, done.",
        (
            Sub(
                "Ready to Eat",
                _t(
                    "Dal Makhani|Paneer Butter Masala|Rajma Masala|Veg Biryani|Chana Masala|Palak Paneer|Pav Bhaji"
                ),
                _t("|Classic|Restaurant Style"),
                _t("285 g|300 g"),
                (120, 375),
            ),
            Sub(
                "Fresh Meals",
                _t("Sandwich|Wrap|Salad Bowl|Rice Bowl|Pasta Bowl"),
                _t("Paneer Tikka|Chicken Tikka|Veggie|Falafel|Egg"),
                _t("1 pc|350 g"),
                (135, 480),
            ),
        ),
    ),
    Top(
        "Instant Food",
        _t("Snappy|2-Minute|Noodle Hut"),
        "Hot food in minutes.",
        (
            Sub(
                "Noodles & Pasta",
                _t("Instant Noodles|Cup Noodles|Hakka Noodles|Penne Pasta|Macaroni|Spaghetti"),
                _t("Masala|Chicken|Veg|Atta|Cheese|Schezwan"),
                _t("70 g|280 g|500 g"),
                (21, 375),
            ),
            Sub(
                "Soups",
                _t("Instant Soup|Cup Soup|Soup Mix"),
                _t("Tomato|Sweet Corn|Hot & Sour|Manchow|Mushroom"),
                _t("1 pc|4 pcs|50 g"),
                (30, 225),
            ),
        ),
    ),
    Top(
        "Health & Wellness",
        _t("VitaLife|Ayur Care|Pure Nutrition"),
        "Everyday wellbeing, no prescription needed.",
        (
            Sub(
                "Health Drinks",
                _t("Health Drink|Protein Powder|Malt Drink|Chyawanprash"),
                _t("|Chocolate|Vanilla|Kesar|Elaichi"),
                _t("200 g|500 g|1 kg"),
                (225, 2700),
            ),
            Sub(
                "Supplements",
                _t("Multivitamin|Vitamin C|Vitamin D3|Omega-3|Calcium|Zinc"),
                _t("|Effervescent|Chewable|Capsules"),
                _t("30 pcs|60 pcs|10 pcs"),
                (180, 1350),
            ),
            Sub(
                "First Aid",
                _t(
                    "Bandages|Antiseptic Liquid|Cotton Wool|Pain Relief Balm|Hand Sanitiser|Thermometer"
                ),
                _t("|Waterproof|Herbal"),
                _t("1 pc|100 ml|20 pcs"),
                (45, 525),
            ),
        ),
    ),
    Top(
        "Stationery",
        _t("Write Right|Classmate Pro|Inkwell"),
        "For homework emergencies.",
        (
            Sub(
                "Writing",
                _t("Ball Pens|Gel Pens|Pencils|Highlighters|Markers|Erasers"),
                _t("Blue|Black|Assorted|Neon"),
                _t("1 pc|5 pcs|10 pcs"),
                (15, 300),
            ),
            Sub(
                "Paper",
                _t("Notebook|Sticky Notes|A4 Paper|Drawing Book"),
                _t("|Ruled|Plain"),
                _t("1 pc|100 sheets|5 pcs"),
                (45, 600),
            ),
        ),
    ),
    Top(
        "Home Baking",
        _t("Bake Joy|Flour Power|Sweet Oven"),
        "Everything for the home baker.",
        (
            Sub(
                "Baking Essentials",
                _t(
                    "Baking Powder|Baking Soda|Yeast|Cocoa Powder|Vanilla Essence|Custard Powder|Icing Sugar|Cornflour"
                ),
                _t("|Premium"),
                _t("50 g|100 g|500 g"),
                (45, 525),
            ),
        ),
    ),
)
