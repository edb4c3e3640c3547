// `dotnet run --project src/CausalQL.Server -- --urls http://127.0.0.1:5080 --data-root DIR`: the same server as `cql serve`.
return await CausalQL.Server.ServeCommand.RunAsync(args, Console.Out, Console.Error);
