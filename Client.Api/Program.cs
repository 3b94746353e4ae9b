Console.WriteLine("gateway: see issue 3");
